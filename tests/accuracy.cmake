# Accuracy on real data (ctest label `accuracy`): the Fashion-MNIST example network, float vs
# int8 post-training quantization (per-channel weights, default min/max observers), on the first
# 1000 images of the Fashion-MNIST test set, calibrated on the first 500 training images.
# Fails unless float top-1 >= 85% and |int8 top-1 - float top-1| <= 1.0 percentage point.
# Needs the Debian package dataset-fashion-mnist (scripts/install_deps.sh); the full-test-set
# numbers come from scripts/accuracy.sh (docs/quantization.md, "Accuracy").
set(KILN_FASHION_MNIST_DIR "/usr/share/datasets/fashion-mnist" CACHE PATH
    "Directory with the Fashion-MNIST IDX files (Debian package dataset-fashion-mnist)")
add_test(NAME accuracy.fashion_mnist_int8
  COMMAND ${CMAKE_COMMAND}
    -DKILN=$<TARGET_FILE:kiln>
    -DMODEL=${CMAKE_SOURCE_DIR}/examples/fashion_mnist/fashion_mnist.onnx
    -DDATA_DIR=${KILN_FASHION_MNIST_DIR}
    -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/accuracy
    -DSAMPLES=1000
    -DCALIBRATION_SAMPLES=500
    -DMIN_FLOAT_TOP1_PERCENT=85
    -DMAX_DELTA_TENTHS_PP=10
    -P ${CMAKE_CURRENT_SOURCE_DIR}/accuracy/check_accuracy.cmake)
# Measured with `ctest --test-dir <build> -R accuracy` on the shared 2-core machine under load
# (load average about 10): 30 s (4 s CPU) in a RelWithDebInfo build, 169 s (66 s CPU) with
# KILN_SANITIZE (ASan + UBSan run the kernels about 17 times slower); the timeouts, 300 s and
# 4 x 300 s in a sanitized build, leave 10x and 7x of that.
kiln_test_timeout(300 KILN_ACCURACY_TIMEOUT)
set_tests_properties(accuracy.fashion_mnist_int8 PROPERTIES LABELS accuracy
  TIMEOUT ${KILN_ACCURACY_TIMEOUT})
