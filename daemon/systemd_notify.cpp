// Placeholder until the systemd integration lands.
#include "daemon/systemd_notify.hpp"

namespace cradle {

std::unique_ptr<Frontend> start_systemd_notify(ServiceApi&) {
    return nullptr;
}

Log make_service_log() {
    return Log();
}

}  // namespace cradle
