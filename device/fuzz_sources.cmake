# What tests/fuzz/fuzz_device_*.c link (read by tests/fuzz/CMakeLists.txt in
# the clang fuzz sub-build, from the tests/fuzz directory scope):
#   CUSTOS_DEVICE_FUZZ_SOURCES       the device layer, nanopb's runtime, the
#                                    generated descriptors, the fuzz port
#   CUSTOS_DEVICE_FUZZ_INCLUDE_DIRS  their headers
#   CUSTOS_DEVICE_FUZZ_LIBRARIES     an interface target carrying the PB_*
#                                    switches, so every file sees the same set
# Everything is compiled into each fuzz target, hence instrumented.
include("${CMAKE_CURRENT_LIST_DIR}/nanopb.cmake")
custos_dev_fetch_nanopb(_dev_fuzz_npb)
custos_dev_generate_nanopb("${CMAKE_CURRENT_BINARY_DIR}/device-nanopb" _dev_fuzz_gen)
file(GLOB _dev_fuzz_src CONFIGURE_DEPENDS "${CMAKE_CURRENT_LIST_DIR}/src/*.c")

set(CUSTOS_DEVICE_FUZZ_SOURCES
  ${_dev_fuzz_src}
  "${_dev_fuzz_npb}/pb_common.c" "${_dev_fuzz_npb}/pb_encode.c" "${_dev_fuzz_npb}/pb_decode.c"
  ${_dev_fuzz_gen}
  "${CMAKE_CURRENT_LIST_DIR}/tests/dev_fuzz_port.c")
set(CUSTOS_DEVICE_FUZZ_INCLUDE_DIRS
  "${CMAKE_CURRENT_LIST_DIR}/include" "${CMAKE_CURRENT_LIST_DIR}/src"
  "${CMAKE_CURRENT_LIST_DIR}/tests" "${_dev_fuzz_npb}" "${CMAKE_CURRENT_BINARY_DIR}/device-nanopb")
if(NOT TARGET custos_device_fuzz_defines)
  add_library(custos_device_fuzz_defines INTERFACE)
  target_compile_definitions(custos_device_fuzz_defines INTERFACE ${CUSTOS_DEV_PB_DEFINES})
endif()
set(CUSTOS_DEVICE_FUZZ_LIBRARIES custos_device_fuzz_defines)
