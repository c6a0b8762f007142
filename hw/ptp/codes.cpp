// SPDX-License-Identifier: Apache-2.0
#include "hw/ptp/codes.hpp"

namespace cradle::hw::ptp {

const char* response_name(std::uint16_t code) noexcept {
    switch (code) {
        case rc::ok:
            return "OK";
        case rc::general_error:
            return "GeneralError";
        case rc::session_not_open:
            return "SessionNotOpen";
        case rc::invalid_transaction_id:
            return "InvalidTransactionID";
        case rc::operation_not_supported:
            return "OperationNotSupported";
        case rc::parameter_not_supported:
            return "ParameterNotSupported";
        case rc::incomplete_transfer:
            return "IncompleteTransfer";
        case rc::invalid_storage_id:
            return "InvalidStorageID";
        case rc::invalid_object_handle:
            return "InvalidObjectHandle";
        case rc::device_prop_not_supported:
            return "DevicePropNotSupported";
        case rc::store_full:
            return "StoreFull";
        case rc::object_write_protected:
            return "ObjectWriteProtected";
        case rc::store_read_only:
            return "StoreReadOnly";
        case rc::access_denied:
            return "AccessDenied";
        case rc::partial_deletion:
            return "PartialDeletion";
        case rc::store_not_available:
            return "StoreNotAvailable";
        case rc::device_busy:
            return "DeviceBusy";
        case rc::invalid_parent_object:
            return "InvalidParentObject";
        case rc::invalid_device_prop_value:
            return "InvalidDevicePropValue";
        case rc::invalid_parameter:
            return "InvalidParameter";
        case rc::session_already_open:
            return "SessionAlreadyOpen";
        case rc::transaction_cancelled:
            return "TransactionCancelled";
    }
    return "unknown response";
}

const char* operation_name(std::uint16_t code) noexcept {
    switch (code) {
        case op::get_device_info:
            return "GetDeviceInfo";
        case op::open_session:
            return "OpenSession";
        case op::close_session:
            return "CloseSession";
        case op::get_storage_ids:
            return "GetStorageIDs";
        case op::get_storage_info:
            return "GetStorageInfo";
        case op::get_num_objects:
            return "GetNumObjects";
        case op::get_object_handles:
            return "GetObjectHandles";
        case op::get_object_info:
            return "GetObjectInfo";
        case op::get_object:
            return "GetObject";
        case op::delete_object:
            return "DeleteObject";
        case op::get_device_prop_desc:
            return "GetDevicePropDesc";
        case op::get_device_prop_value:
            return "GetDevicePropValue";
        case op::set_device_prop_value:
            return "SetDevicePropValue";
        case op::get_partial_object:
            return "GetPartialObject";
        case op::mtp_get_object_prop_value:
            return "GetObjectPropValue";
        case op::android_get_partial_object_64:
            return "GetPartialObject64";
    }
    return "unknown operation";
}

}  // namespace cradle::hw::ptp
