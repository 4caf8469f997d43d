# SPDX-License-Identifier: Apache-2.0
# Environment for tests that load a sanitizer-built acrypto.so into a program built without
# sanitizers (the system openssl, haproxy, nginx): the runtime must be preloaded, first in
# LD_PRELOAD. Leak detection stays off here (the test's shells and servers would report their
# own exit-time allocations); scripts/sanitize.sh reruns the openssl CLI cases with leaks on.
#
# acrypto_sanitizer_runtime(<var>): path of libasan.so / libtsan.so for this build, or "".
# acrypto_sanitizer_env(<var>): list of NAME=value entries for the ENVIRONMENT test property.
function(acrypto_sanitizer_runtime out)
  set(_lib "")
  if(CMAKE_CXX_FLAGS MATCHES "sanitize=address")
    set(_lib libasan.so)
  elseif(CMAKE_CXX_FLAGS MATCHES "sanitize=thread")
    set(_lib libtsan.so)
  endif()
  set(_rt "")
  if(_lib)
    execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=${_lib}
                    OUTPUT_VARIABLE _rt OUTPUT_STRIP_TRAILING_WHITESPACE)
  endif()
  set(${out} "${_rt}" PARENT_SCOPE)
endfunction()

function(acrypto_sanitizer_env out)
  acrypto_sanitizer_runtime(_rt)
  set(_env "")
  if(CMAKE_CXX_FLAGS MATCHES "sanitize=address")
    # verify_asan_link_order=0: the runtime is preloaded, not linked first into the program.
    list(APPEND _env "LD_PRELOAD=${_rt}" "ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0"
         "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
  elseif(CMAKE_CXX_FLAGS MATCHES "sanitize=thread")
    list(APPEND _env "LD_PRELOAD=${_rt}"
         "TSAN_OPTIONS=die_after_fork=0:report_signal_unsafe=0:suppressions=${PROJECT_SOURCE_DIR}/test/sanitizers/tsan.supp")
  endif()
  set(${out} "${_env}" PARENT_SCOPE)
endfunction()
