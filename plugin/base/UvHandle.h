// Owns one libuv handle: closed with uv_close and freed in its close callback, never before (libuv's rule).
#pragma once

#include <uv.h>

#include <memory>
#include <utility>

namespace msp {

template <typename T>
class UvHandle {
 public:
  UvHandle() = default;
  UvHandle(const UvHandle&) = delete;
  UvHandle& operator=(const UvHandle&) = delete;
  UvHandle(UvHandle&& other) noexcept : handle_(std::move(other.handle_)), live_(std::exchange(other.live_, false)) {}
  UvHandle& operator=(UvHandle&& other) noexcept {
    if (this != &other) {
      close();
      handle_ = std::move(other.handle_);
      live_ = std::exchange(other.live_, false);
    }
    return *this;
  }
  ~UvHandle() { close(); }

  // init is e.g. [&](uv_timer_t* h) { return uv_timer_init(loop, h); }; data goes into handle->data.
  template <typename Init>
  int init(Init&& initialize, void* data) {
    close();
    handle_ = std::make_unique<T>();
    int rc = initialize(handle_.get());
    if (rc != 0) {
      handle_.reset();  // never initialised: libuv does not know it, free it at once
      return rc;
    }
    handle_->data = data;
    live_ = true;
    return 0;
  }

  T* get() const { return handle_.get(); }
  explicit operator bool() const { return live_; }

  void close() {
    if (!live_) return;
    live_ = false;
    T* raw = handle_.release();
    raw->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(raw), [](uv_handle_t* h) { std::unique_ptr<T> owned(reinterpret_cast<T*>(h)); });
  }

 private:
  std::unique_ptr<T> handle_;
  bool live_ = false;
};

template <typename Owner, typename Handle>
Owner* ownerOf(Handle* handle) {
  return static_cast<Owner*>(handle->data);
}

}  // namespace msp
