// std::visit over a request variant with one lambda per alternative.
#pragma once

namespace msp {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace msp
