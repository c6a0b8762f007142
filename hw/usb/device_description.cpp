// SPDX-License-Identifier: Apache-2.0
#include "hw/usb/device_description.hpp"

namespace cradle::hw::usb {

DescribedDevice describe_device(libusb_device* device) {
    libusb_device_descriptor descriptor{};
    if (const int rc = libusb_get_device_descriptor(device, &descriptor); rc != LIBUSB_SUCCESS)
        throw UsbError("cannot read the device descriptor", rc);
    DescribedDevice described;
    described.description.vendor_id = descriptor.idVendor;
    described.description.product_id = descriptor.idProduct;
    described.is_hub = descriptor.bDeviceClass == LIBUSB_CLASS_HUB;
    if (described.is_hub) return described;
    const ConfigDescriptor config(device);
    for (int i = 0; i < config.get().bNumInterfaces; ++i) {
        const libusb_interface& interface = config.get().interface[i];
        for (int a = 0; a < interface.num_altsetting; ++a)
            described.description.interface_classes.push_back(
                interface.altsetting[a].bInterfaceClass);
    }
    return described;
}

}  // namespace cradle::hw::usb
