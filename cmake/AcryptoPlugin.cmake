# SPDX-License-Identifier: Apache-2.0
# Helpers that make every plugin and module the same shape (STYLE.md §8).

# acrypto_hardening(target): hidden visibility and no undefined symbols.
function(acrypto_module_flags target version_script)
  set_target_properties(${target} PROPERTIES
    C_VISIBILITY_PRESET hidden CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON
    PREFIX "")
  target_link_options(${target} PRIVATE -Wl,-z,defs -Wl,--version-script=${version_script})
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${version_script})
endfunction()

# acrypto_add_device_plugin(NAME <driver> SOURCES ... [LIBS ...])
# Builds MODULE acrypto-dev-<driver>.so into the plugin folder, exporting only
# acrypto_device_driver_v1, and records it for the device conformance suite.
function(acrypto_add_device_plugin)
  cmake_parse_arguments(P "" "NAME" "SOURCES;LIBS" ${ARGN})
  set(t acrypto-dev-${P_NAME})
  add_library(${t} MODULE ${P_SOURCES})
  target_link_libraries(${t} PRIVATE acrypto_abi ${P_LIBS})
  acrypto_module_flags(${t} ${PROJECT_SOURCE_DIR}/cmake/device_plugin.map)
  set_target_properties(${t} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${ACRYPTO_PLUGIN_OUTPUT_DIR})
  install(TARGETS ${t} LIBRARY DESTINATION ${ACRYPTO_OSSL_MODULESDIR}/${ACRYPTO_PLUGIN_SUBDIR})
  set_property(GLOBAL APPEND PROPERTY ACRYPTO_DEVICE_PLUGINS ${t})
endfunction()

# acrypto_add_balancer_plugin(NAME <balancer> SOURCES ... [LIBS ...] [NOINSTALL])
function(acrypto_add_balancer_plugin)
  cmake_parse_arguments(P "NOINSTALL" "NAME;OUTPUT_DIR" "SOURCES;LIBS" ${ARGN})
  set(t acrypto-lb-${P_NAME})
  add_library(${t} MODULE ${P_SOURCES})
  target_link_libraries(${t} PRIVATE acrypto_abi ${P_LIBS})
  acrypto_module_flags(${t} ${PROJECT_SOURCE_DIR}/cmake/balancer_plugin.map)
  if(P_OUTPUT_DIR)
    set_target_properties(${t} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${P_OUTPUT_DIR})
  else()
    set_target_properties(${t} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${ACRYPTO_PLUGIN_OUTPUT_DIR})
  endif()
  if(NOT P_NOINSTALL)
    install(TARGETS ${t} LIBRARY DESTINATION ${ACRYPTO_OSSL_MODULESDIR}/${ACRYPTO_PLUGIN_SUBDIR})
  endif()
endfunction()
