# Compile options shared by every ztrade target: ztrade_apply_options(<target>).

# -ffp-contract=off: no fused multiply-add contraction. The indicators reproduce TA-Lib to the
# bit, and TA-Lib's reference build has no FMA; a contracted a*b+c rounds differently.
set(ZTRADE_COMMON_FLAGS -ffp-contract=off)
set(ZTRADE_WARNING_FLAGS -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion)
if(ZTRADE_WERROR)
  list(APPEND ZTRADE_WARNING_FLAGS -Werror)
endif()

set(ZTRADE_SANITIZER_FLAGS "")
if(ZTRADE_SANITIZE)
  set(ZTRADE_SANITIZER_FLAGS -fsanitize=${ZTRADE_SANITIZE} -fno-omit-frame-pointer
                             -fno-sanitize-recover=all)
endif()

function(ztrade_apply_options target)
  target_compile_options(${target} PRIVATE ${ZTRADE_COMMON_FLAGS} ${ZTRADE_WARNING_FLAGS}
                                           ${ZTRADE_SANITIZER_FLAGS})
  if(ZTRADE_SANITIZER_FLAGS)
    target_link_options(${target} PRIVATE ${ZTRADE_SANITIZER_FLAGS})
  endif()
endfunction()

# Sanitized static libraries need the runtime on every link line that uses them.
if(ZTRADE_SANITIZER_FLAGS)
  add_link_options(${ZTRADE_SANITIZER_FLAGS})
endif()
