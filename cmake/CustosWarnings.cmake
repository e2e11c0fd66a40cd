# Warnings are errors, for every C target of the project.
set(CUSTOS_WARNINGS
  -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wcast-align
  -Wwrite-strings -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
  -Wundef -Wvla -Wno-missing-field-initializers)

function(custos_target_defaults tgt)
  target_compile_options(${tgt} PRIVATE ${CUSTOS_WARNINGS})
  if(CUSTOS_SANITIZE)
    target_compile_options(${tgt} PRIVATE -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
    target_link_options(${tgt} PRIVATE -fsanitize=address,undefined)
  endif()
  if(CUSTOS_TSAN)
    target_compile_options(${tgt} PRIVATE -fsanitize=thread -fno-omit-frame-pointer)
    target_link_options(${tgt} PRIVATE -fsanitize=thread)
  endif()
  if(CUSTOS_COVERAGE)
    target_compile_options(${tgt} PRIVATE --coverage -fprofile-update=atomic -O0)
    target_link_options(${tgt} PRIVATE --coverage)
  endif()
endfunction()
