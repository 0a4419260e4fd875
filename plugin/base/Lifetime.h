// A token an entity holds for as long as it lives: callbacks of its async requests keep a weak copy and do
// nothing to the entity once it is gone (a late worker reply must not touch a closed entity).
#pragma once

#include <memory>

namespace msp {

class Lifetime {
 public:
  std::weak_ptr<char> token() const { return token_; }

 private:
  std::shared_ptr<char> token_ = std::make_shared<char>(0);
};

}  // namespace msp
