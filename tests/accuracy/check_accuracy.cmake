# Runs `kiln eval --quantize int8` and checks the accuracy numbers in its JSON report.
# Variables: KILN, MODEL, DATA_DIR, WORK_DIR, SAMPLES, CALIBRATION_SAMPLES,
# MIN_FLOAT_TOP1_PERCENT (integer percent), MAX_DELTA_TENTHS_PP (integer, tenths of a percentage
# point). See tests/accuracy.cmake.
foreach(file t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz train-images-idx3-ubyte.gz)
  if(NOT EXISTS "${DATA_DIR}/${file}")
    message(FATAL_ERROR "${DATA_DIR}/${file} is missing: install the Debian package "
                        "dataset-fashion-mnist (scripts/install_deps.sh)")
  endif()
endforeach()
file(MAKE_DIRECTORY "${WORK_DIR}")
set(report "${WORK_DIR}/fashion_mnist_int8.json")
file(REMOVE "${report}")
execute_process(
  COMMAND "${KILN}" eval "${MODEL}" --dataset "${DATA_DIR}" --limit ${SAMPLES}
          --preprocess scale=1/255,mean=0.2860,std=0.3530
          --quantize int8 --calibration "${DATA_DIR}/train-images-idx3-ubyte.gz"
          --calibration-samples ${CALIBRATION_SAMPLES} --no-progress --no-details
          --json "${report}"
  RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "kiln eval failed (exit ${status})")
endif()
file(READ "${report}" json)
string(JSON count LENGTH "${json}" results)
if(NOT count EQUAL 2)
  message(FATAL_ERROR "expected 2 results (float, int8), got ${count}")
endif()
string(JSON float_name GET "${json}" results 0 name)
string(JSON float_correct GET "${json}" results 0 top1_correct)
string(JSON float_samples GET "${json}" results 0 samples)
string(JSON int8_name GET "${json}" results 1 name)
string(JSON int8_correct GET "${json}" results 1 top1_correct)
string(JSON int8_samples GET "${json}" results 1 samples)
if(NOT float_samples EQUAL SAMPLES OR NOT int8_samples EQUAL SAMPLES)
  message(FATAL_ERROR "evaluated ${float_samples}/${int8_samples} samples, expected ${SAMPLES}")
endif()
# Integer arithmetic (CMake's math() has no floats):
#   float top-1 >= MIN_FLOAT_TOP1_PERCENT %   <=>  float_correct * 100 >= MIN * SAMPLES
#   |delta top-1| <= MAX_DELTA_TENTHS_PP / 10 pp  <=>  |delta| * 1000 <= MAX * SAMPLES
math(EXPR delta "${int8_correct} - ${float_correct}")
if(delta LESS 0)
  math(EXPR delta "0 - ${delta}")
endif()
math(EXPR float_scaled "${float_correct} * 100")
math(EXPR float_needed "${MIN_FLOAT_TOP1_PERCENT} * ${SAMPLES}")
math(EXPR delta_scaled "${delta} * 1000")
math(EXPR delta_allowed "${MAX_DELTA_TENTHS_PP} * ${SAMPLES}")
message(STATUS "${float_name}: ${float_correct}/${SAMPLES}, ${int8_name}: ${int8_correct}/${SAMPLES} "
               "(|delta| ${delta} samples; allowed: float >= ${MIN_FLOAT_TOP1_PERCENT}%, |delta| <= ${MAX_DELTA_TENTHS_PP}/10 pp)")
if(float_scaled LESS float_needed)
  message(FATAL_ERROR "float top-1 ${float_correct}/${SAMPLES} is below ${MIN_FLOAT_TOP1_PERCENT}%")
endif()
if(delta_scaled GREATER delta_allowed)
  message(FATAL_ERROR "int8 top-1 ${int8_correct}/${SAMPLES} differs from float "
                      "${float_correct}/${SAMPLES} by more than ${MAX_DELTA_TENTHS_PP}/10 percentage points")
endif()
