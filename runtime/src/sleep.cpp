#include "aio/sleep.hpp"

namespace aio {

detail::SleepAwaiter sleep_until(TimePoint when) {
    return detail::SleepAwaiter(delay_until(when, get_running_loop().time()));
}

}  // namespace aio
