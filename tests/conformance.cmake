# ONNX conformance: every node test in ../shared/onnx-conformance, through the interpreter and
# the generated C. Unsupported tests are counted in the report, never hidden; any failure of a
# supported test fails this ctest. Report: build/conformance/report.{md,json}.
add_executable(kiln_conformance ${CMAKE_CURRENT_SOURCE_DIR}/conformance/conformance.cpp)
target_link_libraries(kiln_conformance PRIVATE kiln_core CLI11::CLI11)
set(KILN_CONFORMANCE_DIR ${CMAKE_SOURCE_DIR}/../shared/onnx-conformance)
add_test(NAME onnx_conformance
  COMMAND kiln_conformance
          --suite ${KILN_CONFORMANCE_DIR}/node --suite ${KILN_CONFORMANCE_DIR}/pytorch-converted
          --report-json ${CMAKE_BINARY_DIR}/conformance/report.json
          --report-md ${CMAKE_BINARY_DIR}/conformance/report.md)
kiln_test_timeout(1800 KILN_CONFORMANCE_TIMEOUT)
set_tests_properties(onnx_conformance PROPERTIES LABELS conformance
  TIMEOUT ${KILN_CONFORMANCE_TIMEOUT})
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/conformance)
