# libFuzzer target for the ONNX frontend (tests/fuzz/fuzz_onnx_loader.cpp). Needs clang and
# -DKILN_FUZZ=ON; combine with -DKILN_SANITIZE=ON so ASan/UBSan see the whole library:
#   CC=clang CXX=clang++ cmake -S . -B build-fuzz -DKILN_FUZZ=ON -DKILN_SANITIZE=ON
# The ctest `fuzz_onnx_loader` runs 200,000 executions with a fixed seed (so a CI run is
# reproducible; at most 90 s) from the malformed corpus, small valid
# seed models and past crashes (tests/fuzz/regressions, each also checked by
# tests/unit/fuzz_regressions_test.cpp); crashing inputs land in <build>/tests/fuzz_artifacts/.
if(NOT KILN_FUZZ)
  return()
endif()
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(WARNING "KILN_FUZZ needs clang (CXX is ${CMAKE_CXX_COMPILER_ID}); fuzz targets skipped")
  return()
endif()

# Coverage instrumentation for the code under test, so libFuzzer is guided by kiln's branches
# and not only the harness's. Consumers of kiln_core (kiln, unit tests) link the matching
# runtime through the INTERFACE link option.
target_compile_options(kiln_core PRIVATE -fsanitize=fuzzer-no-link)
target_link_options(kiln_core INTERFACE -fsanitize=fuzzer-no-link)
target_compile_options(kiln_kernels PRIVATE -fsanitize=fuzzer-no-link)

add_executable(fuzz_onnx_loader ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_onnx_loader.cpp)
target_link_libraries(fuzz_onnx_loader PRIVATE kiln_core)
target_compile_options(fuzz_onnx_loader PRIVATE -fsanitize=fuzzer,address,undefined)
target_link_options(fuzz_onnx_loader PRIVATE -fsanitize=fuzzer,address,undefined)

# libFuzzer adds new interesting inputs to the first corpus directory: keep that one in the
# build tree so the committed seeds stay untouched.
set(KILN_FUZZ_WORK_CORPUS ${CMAKE_CURRENT_BINARY_DIR}/fuzz_corpus)
set(KILN_FUZZ_ARTIFACTS ${CMAKE_CURRENT_BINARY_DIR}/fuzz_artifacts)
file(MAKE_DIRECTORY ${KILN_FUZZ_WORK_CORPUS} ${KILN_FUZZ_ARTIFACTS})
add_test(NAME fuzz_onnx_loader
  COMMAND fuzz_onnx_loader -seed=1 -runs=200000 -max_total_time=90 -timeout=10 -rss_limit_mb=2048
          -max_len=65536 -print_final_stats=1 -artifact_prefix=${KILN_FUZZ_ARTIFACTS}/
          ${KILN_FUZZ_WORK_CORPUS} ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/seeds
          ${CMAKE_CURRENT_SOURCE_DIR}/data/malformed ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/regressions)
set_tests_properties(fuzz_onnx_loader PROPERTIES TIMEOUT 180 LABELS fuzz)

# libFuzzer target for the TFLite frontend (tests/fuzz/fuzz_tflite_loader.cpp): 30 s with a fixed
# seed from tests/fuzz/tflite_seeds (the generated test models of tests/data/tflite and two
# MLPerf Tiny int8 models) and the malformed TFLite files. The long run (10 million executions)
# is documented in docs/architecture.md (Tests, fuzz targets).
add_executable(fuzz_tflite_loader ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_tflite_loader.cpp)
target_link_libraries(fuzz_tflite_loader PRIVATE kiln_core)
target_compile_options(fuzz_tflite_loader PRIVATE -fsanitize=fuzzer,address,undefined)
target_link_options(fuzz_tflite_loader PRIVATE -fsanitize=fuzzer,address,undefined)
set(KILN_FUZZ_TFLITE_CORPUS ${CMAKE_CURRENT_BINARY_DIR}/fuzz_tflite_corpus)
file(MAKE_DIRECTORY ${KILN_FUZZ_TFLITE_CORPUS})
add_test(NAME fuzz_tflite_loader
  COMMAND fuzz_tflite_loader -seed=1 -max_total_time=30 -timeout=10 -rss_limit_mb=2048
          -max_len=131072 -print_final_stats=1 -artifact_prefix=${KILN_FUZZ_ARTIFACTS}/
          ${KILN_FUZZ_TFLITE_CORPUS} ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/tflite_seeds
          ${CMAKE_CURRENT_SOURCE_DIR}/data/tflite/malformed)
set_tests_properties(fuzz_tflite_loader PROPERTIES TIMEOUT 120 LABELS fuzz)
