# Real-model tests: MLPerf Tiny float models against ONNX Runtime and the MNIST test network
# (examples/mnist) against PyTorch's committed logits. A separate GoogleTest binary with label
# "realmodel" (not "unit"): these tests start node and the C compiler, so the sanitizer run in
# scripts/test.sh (-L "unit|fuzz") leaves them to the main run.
#
# ONNX Runtime comes from npm: the fixture test below runs scripts/setup_npm.sh first
# (idempotent, skips when tests/ort/node_modules already works). Without ONNX Runtime the tests
# that need it skip locally and fail under CI=true.
file(GLOB KILN_REALMODEL_TEST_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/realmodel/*.cpp)
add_executable(kiln_realmodel_tests ${KILN_REALMODEL_TEST_SOURCES})
target_link_libraries(kiln_realmodel_tests PRIVATE kiln_core GTest::gtest GTest::gtest_main)
target_compile_definitions(kiln_realmodel_tests PRIVATE
  KILN_SHARED_DIR="${CMAKE_SOURCE_DIR}/../shared"
  KILN_BINARY="$<TARGET_FILE:kiln>")
add_dependencies(kiln_realmodel_tests kiln)

add_test(NAME realmodel.setup_npm COMMAND bash ${CMAKE_SOURCE_DIR}/scripts/setup_npm.sh)
set_tests_properties(realmodel.setup_npm PROPERTIES
  FIXTURES_SETUP kiln_npm LABELS realmodel TIMEOUT 600)

kiln_test_timeout(900 KILN_REALMODEL_TIMEOUT)
gtest_discover_tests(kiln_realmodel_tests DISCOVERY_TIMEOUT ${KILN_DISCOVERY_TIMEOUT}
  TEST_PREFIX realmodel.
  PROPERTIES TIMEOUT ${KILN_REALMODEL_TIMEOUT} LABELS realmodel FIXTURES_REQUIRED kiln_npm)
