# nanopb for the device layer: the runtime sources and the generated
# descriptors, shared by device/CMakeLists.txt and device/fuzz_sources.cmake.
#
# The switches every translation unit that includes pb.h is compiled with
# (include/custos_dev_config.h says why these and not PB_WITHOUT_64BIT).
set(CUSTOS_DEV_PB_DEFINES PB_NO_ERRMSG PB_BUFFER_ONLY PB_ENCODE_ARRAYS_UNPACKED)
set(_custos_dev_dir "${CMAKE_CURRENT_LIST_DIR}")

# custos_dev_fetch_nanopb(<var>): nanopb's runtime .c files from Debian's
# source package (libnanopb-dev ships none, and its host library is built
# without our switches), unpacked once into the build tree; <var> receives
# the directory holding pb*.h and pb_*.c.
function(custos_dev_fetch_nanopb var)
  set(dir "${PROJECT_BINARY_DIR}/_deps/nanopb")
  if(NOT EXISTS "${dir}/pb_decode.c")
    message(STATUS "Fetching nanopb's runtime sources (apt-get source nanopb)")
    execute_process(COMMAND sh "${_custos_dev_dir}/fetch-nanopb.sh" "${dir}"
                    RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "device: could not fetch nanopb's sources (device/fetch-nanopb.sh); "
                          "it needs a deb-src entry for bookworm main and dpkg-dev")
    endif()
  endif()
  set(${var} "${dir}" PARENT_SCOPE)
endfunction()

# custos_dev_generate_nanopb(<outdir> <var>): rules, in the calling
# directory, that generate consent.pb.c and sync.pb.c from schemas/ into
# <outdir>; <var> receives the two .c files. (schemas/CMakeLists.txt makes
# the same files, but a custom command's outputs can only be built by
# targets of its own directory.)
function(custos_dev_generate_nanopb outdir var)
  if(NOT NANOPB_GENERATOR)
    find_program(NANOPB_GENERATOR nanopb_generator.py)
  endif()
  if(NOT CUSTOS_PYTHON3)
    set(CUSTOS_PYTHON3 /usr/bin/python3)
  endif()
  set(schemas "${PROJECT_SOURCE_DIR}/schemas")
  set(srcs)
  foreach(name consent sync)
    set(c "${outdir}/custos/v1/${name}.pb.c")
    add_custom_command(
      OUTPUT "${c}" "${outdir}/custos/v1/${name}.pb.h"
      COMMAND "${CMAKE_COMMAND}" -E make_directory "${outdir}"
      COMMAND "${CUSTOS_PYTHON3}" "${NANOPB_GENERATOR}" --error-on-unmatched
              "-I${schemas}" "-D${outdir}" "-f${schemas}/custos/v1/${name}.options"
              "custos/v1/${name}.proto"
      WORKING_DIRECTORY "${schemas}"
      DEPENDS "${schemas}/custos/v1/${name}.proto" "${schemas}/custos/v1/${name}.options"
              "${schemas}/custos/v1/consent.proto"
      COMMENT "nanopb ${name}.proto (device)"
      VERBATIM)
    list(APPEND srcs "${c}")
  endforeach()
  set(${var} ${srcs} PARENT_SCOPE)
endfunction()
