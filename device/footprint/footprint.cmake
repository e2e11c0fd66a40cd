# The Cortex-M footprint gate (see footprint.py): `cmake --build <dir>
# --target device-footprint` prints the table and writes it to
# <build>/device/FOOTPRINT.md; the CTest test device_footprint runs the same
# check, and is skipped when arm-none-eabi-gcc is not installed.
set(_fp_cmd "${CUSTOS_PYTHON3}" "${CMAKE_CURRENT_SOURCE_DIR}/footprint/footprint.py"
  --device "${CMAKE_CURRENT_SOURCE_DIR}"
  --nanopb "${CUSTOS_NANOPB_SRC_DIR}"
  --gen "${CMAKE_CURRENT_BINARY_DIR}/nanopb"
  --out "${CMAKE_CURRENT_BINARY_DIR}/footprint")
add_custom_target(device-footprint
  COMMAND ${_fp_cmd} --write "${CMAKE_CURRENT_BINARY_DIR}/FOOTPRINT.md"
  DEPENDS custos_nanopb
  COMMENT "Device layer footprint (Cortex-M0+, Cortex-M4)"
  VERBATIM)
if(CUSTOS_BUILD_TESTS)
  add_test(NAME device_footprint COMMAND ${_fp_cmd} --out "${CMAKE_CURRENT_BINARY_DIR}/footprint-test")
  set_tests_properties(device_footprint PROPERTIES LABELS "device" SKIP_RETURN_CODE 77)
endif()
