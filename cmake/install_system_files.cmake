# Run at install time (cmake --install, cpack): the files whose contents name
# installed paths, written for the prefix being installed to. /usr (the .deb)
# puts configuration in /etc and system units in /lib/systemd/system; any
# other prefix keeps them under itself. Needs TRESOR_SOURCE_DIR and
# TRESOR_BINARY_DIR.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(SYSCONFDIR /etc)
  set(system_units /lib/systemd/system)
else()
  set(SYSCONFDIR ${CMAKE_INSTALL_PREFIX}/etc)
  set(system_units ${CMAKE_INSTALL_PREFIX}/lib/systemd/system)
endif()
set(BINDIR ${CMAKE_INSTALL_PREFIX}/bin)
set(DOCDIR ${CMAKE_INSTALL_PREFIX}/share/doc/tresor)
set(staged ${TRESOR_BINARY_DIR}/packaging/staged)
configure_file(${TRESOR_SOURCE_DIR}/packaging/tresor-server.service.in
  ${staged}/system/tresor-server.service @ONLY)
configure_file(${TRESOR_SOURCE_DIR}/packaging/tresor-agent.service.in
  ${staged}/user/tresor-agent.service @ONLY)
file(INSTALL ${staged}/system/tresor-server.service DESTINATION ${system_units}
  FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
file(INSTALL ${staged}/user/tresor-agent.service
  DESTINATION ${CMAKE_INSTALL_PREFIX}/lib/systemd/user
  FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
# An operator's settings are never replaced: the default goes in only where
# there is none (dpkg treats it as a conffile in the package).
if(NOT EXISTS "$ENV{DESTDIR}${SYSCONFDIR}/tresor/server.toml")
  file(INSTALL ${TRESOR_SOURCE_DIR}/packaging/server.toml DESTINATION ${SYSCONFDIR}/tresor
    FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
endif()
