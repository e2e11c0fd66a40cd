# The device layer on emulated Cortex-M (device/target): one cross build
# per board, as an ExternalProject inside this build tree (built once,
# rebuilt only when a source changes), and one CTest test per board
# (label device-target) that runs the images under qemu-system-arm with
# semihosting and a timeout (device/target/run.py).
#
#   board        QEMU machine   core
#   microbit     microbit       Cortex-M0  (nRF51, 16 KiB RAM)
#   mps2-an385   mps2-an385     Cortex-M3
#   mps2-an386   mps2-an386     Cortex-M4F
#   mps2-an505   mps2-an505     Cortex-M33
include(ExternalProject)
set(CUSTOS_TARGET_TIMEOUT 300 CACHE STRING "seconds one board's QEMU run may take")
set(_sodium_dir "${PROJECT_BINARY_DIR}/_deps/libsodium")
if(NOT EXISTS "${_sodium_dir}/src/libsodium")
  message(STATUS "Fetching libsodium's sources for Cortex-M (apt-get source libsodium)")
  execute_process(COMMAND sh "${CMAKE_CURRENT_SOURCE_DIR}/fetch-libsodium.sh" "${_sodium_dir}"
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "device: could not fetch libsodium's sources (device/fetch-libsodium.sh)")
  endif()
endif()
find_program(CUSTOS_QEMU_ARM qemu-system-arm)
if(NOT CUSTOS_QEMU_ARM)
  set(CUSTOS_QEMU_ARM qemu-system-arm)  # the test then fails, naming scripts/deps
endif()
file(GLOB_RECURSE _tgt_deps CONFIGURE_DEPENDS
  "${CMAKE_CURRENT_SOURCE_DIR}/target/*" "${CMAKE_CURRENT_SOURCE_DIR}/src/*"
  "${CMAKE_CURRENT_SOURCE_DIR}/include/*" "${CMAKE_CURRENT_SOURCE_DIR}/port/baremetal/*")
add_custom_target(device-target)
foreach(board microbit mps2-an385 mps2-an386 mps2-an505)
  set(_bin "${CMAKE_CURRENT_BINARY_DIR}/target-${board}")
  ExternalProject_Add(device-target-${board}
    SOURCE_DIR "${CMAKE_CURRENT_SOURCE_DIR}/target"
    BINARY_DIR "${_bin}"
    PREFIX "${CMAKE_CURRENT_BINARY_DIR}/target-${board}-ep"
    CMAKE_ARGS "-DCMAKE_TOOLCHAIN_FILE=${PROJECT_SOURCE_DIR}/cmake/arm-none-eabi.cmake"
               "-DCUSTOS_BOARD=${board}"
               "-DCUSTOS_NANOPB_SRC_DIR=${CUSTOS_NANOPB_SRC_DIR}"
               "-DCUSTOS_NANOPB_GEN_DIR=${CMAKE_CURRENT_BINARY_DIR}/nanopb"
               "-DCUSTOS_SODIUM_SRC_DIR=${_sodium_dir}"
    BUILD_ALWAYS OFF
    INSTALL_COMMAND ""
    DEPENDS custos_nanopb
    EXCLUDE_FROM_ALL OFF)
  ExternalProject_Add_StepDependencies(device-target-${board} build ${_tgt_deps})
  add_dependencies(device-target device-target-${board})
  if(CUSTOS_BUILD_TESTS)
    add_test(NAME device_target_${board}
      COMMAND "${CUSTOS_PYTHON3}" "${CMAKE_CURRENT_SOURCE_DIR}/target/run.py"
              --qemu "${CUSTOS_QEMU_ARM}" --machine ${board} --dir "${_bin}"
              --timeout ${CUSTOS_TARGET_TIMEOUT})
    set_tests_properties(device_target_${board} PROPERTIES LABELS "device;device-target"
      TIMEOUT 900)
    # The cross-checks with the core's protobuf-c code (tests/crosscheck),
    # when the core's schemas are built.
    if(TARGET custos_proto_c)
      add_test(NAME device_target_xc_${board}
        COMMAND "${CUSTOS_PYTHON3}" "${CMAKE_CURRENT_SOURCE_DIR}/target/run.py"
                --qemu "${CUSTOS_QEMU_ARM}" --machine ${board} --dir "${_bin}"
                --timeout ${CUSTOS_TARGET_TIMEOUT} --xc-host $<TARGET_FILE:xc_target_host>
                --xc-only)
      set_tests_properties(device_target_xc_${board} PROPERTIES
        LABELS "device;device-target;crosscheck" TIMEOUT 900)
    endif()
  endif()
endforeach()
# The whole-image footprint and the target stack figures, from the images'
# linker maps and the suite runs' stack.txt: run `ctest -L device-target`
# first, then build this; device/FOOTPRINT.md carries the result.
add_custom_target(device-target-footprint
  COMMAND "${CUSTOS_PYTHON3}" "${CMAKE_CURRENT_SOURCE_DIR}/target/footprint.py"
          --build "${CMAKE_CURRENT_BINARY_DIR}"
          --write "${CMAKE_CURRENT_BINARY_DIR}/FOOTPRINT-target.md"
  DEPENDS device-target
  COMMENT "Device layer: whole-image footprint on the four emulated boards"
  VERBATIM)
