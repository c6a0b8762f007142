# SPDX-License-Identifier: Apache-2.0
# What `cmake --install` puts where: the daemon, its client, the configuration IT edits, the
# emulated cradle of the demonstration, and the files that make cradled a system service
# (unit, service user, directories, device access, bus policy). debian/rules builds the
# package from exactly these rules, so a file installed here is a file in the package.
#
# With the usual prefix /usr, the configuration goes to /etc/cradled (GNUInstallDirs maps the
# system configuration directory of prefix /usr to /etc).

include(GNUInstallDirs)

# systemd, udev and the bus look for their files under lib/ of the prefix, never under the
# architecture's library directory, so these are not CMAKE_INSTALL_LIBDIR.
set(CRADLED_SYSTEMD_UNIT_DIR "${CMAKE_INSTALL_PREFIX}/lib/systemd/system"
    CACHE PATH "Where the systemd unit cradled.service is installed")
set(CRADLED_SYSUSERS_DIR "${CMAKE_INSTALL_PREFIX}/lib/sysusers.d"
    CACHE PATH "Where the sysusers.d file of the service user is installed")
set(CRADLED_TMPFILES_DIR "${CMAKE_INSTALL_PREFIX}/lib/tmpfiles.d"
    CACHE PATH "Where the tmpfiles.d file of the state directory is installed")
set(CRADLED_UDEV_RULES_DIR "${CMAKE_INSTALL_PREFIX}/lib/udev/rules.d"
    CACHE PATH "Where the udev rules giving the service user its cameras are installed")
set(CRADLED_DBUS_SYSTEM_POLICY_DIR "${CMAKE_INSTALL_FULL_DATADIR}/dbus-1/system.d"
    CACHE PATH "Where the system bus policy of org.cradled.Cradle1 is installed")
set(CRADLED_BASH_COMPLETION_DIR "${CMAKE_INSTALL_FULL_DATADIR}/bash-completion/completions"
    CACHE PATH "Where the bash completion of cradlectl is installed")

# The daemon is started by systemd, not by users: sbin. The client is for everyone: bin.
install(TARGETS cradled RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(TARGETS cradlectl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The service on the emulated cradle, for IT's first check of an installation (docs/install.md):
# a program of the package, not a command for users.
install(TARGETS cradled-demo RUNTIME DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/cradled)

# The configuration IT edits (a package marks files under /etc as conffiles, so an upgrade
# keeps IT's changes).
install(FILES
  ${PROJECT_SOURCE_DIR}/etc/cradled.toml
  ${PROJECT_SOURCE_DIR}/etc/devices.toml
  ${PROJECT_SOURCE_DIR}/etc/bays.toml
  DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/cradled)

# The emulated cradle, runnable from where it is installed: its configuration names the cradle
# file beside it by a relative path.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/etc/demo/
  DESTINATION ${CMAKE_INSTALL_DATADIR}/cradled/demo)

# The system service.
install(FILES ${PROJECT_SOURCE_DIR}/systemd/cradled.service
  DESTINATION ${CRADLED_SYSTEMD_UNIT_DIR})
install(FILES ${PROJECT_SOURCE_DIR}/systemd/cradled.sysusers
  DESTINATION ${CRADLED_SYSUSERS_DIR} RENAME cradled.conf)
install(FILES ${PROJECT_SOURCE_DIR}/systemd/cradled.tmpfiles
  DESTINATION ${CRADLED_TMPFILES_DIR} RENAME cradled.conf)
install(FILES ${PROJECT_SOURCE_DIR}/systemd/72-cradled.rules
  DESTINATION ${CRADLED_UDEV_RULES_DIR})

# The D-Bus API: who may own and call it, and its introspection for tools and other clients.
install(FILES ${PROJECT_SOURCE_DIR}/dbus/org.cradled.Cradle1.conf
  DESTINATION ${CRADLED_DBUS_SYSTEM_POLICY_DIR})
install(FILES ${PROJECT_SOURCE_DIR}/dbus/org.cradled.Cradle1.xml
  DESTINATION ${CMAKE_INSTALL_DATADIR}/dbus-1/interfaces)
# The rights of the API and the roles' grants (docs/access.md).
install(FILES ${PROJECT_SOURCE_DIR}/dbus/org.cradled.policy
  DESTINATION ${CMAKE_INSTALL_DATADIR}/polkit-1/actions)
install(FILES ${PROJECT_SOURCE_DIR}/dbus/50-cradled.rules
  DESTINATION ${CMAKE_INSTALL_DATADIR}/polkit-1/rules.d)

# The translations of the reports' texts (compiled into the build tree when CMake configures).
foreach(language IN LISTS CRADLED_TRANSLATIONS)
  install(FILES ${CRADLED_BUILD_LOCALE_DIR}/${language}/LC_MESSAGES/cradled.mo
    DESTINATION ${CMAKE_INSTALL_LOCALEDIR}/${language}/LC_MESSAGES)
endforeach()

# Manual pages and shell completion.
install(FILES ${PROJECT_SOURCE_DIR}/man/cradled.8 DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
install(FILES ${PROJECT_SOURCE_DIR}/man/cradlectl.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${PROJECT_SOURCE_DIR}/man/cradled.toml.5 DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
install(FILES ${PROJECT_SOURCE_DIR}/completion/cradlectl
  DESTINATION ${CRADLED_BASH_COMPLETION_DIR})
