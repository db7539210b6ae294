# Hostile-input regression corpus (issue 13): tests/robustness/run_corpus.py runs the kiln CLI
# on every case of tests/robustness/corpus/cases.json (written by make_corpus.py; large cases
# are generated into a temporary directory at test time) under CPU-time and memory limits and
# checks the exit code and the one-line error. In the sanitizer build (KILN_SANITIZE) the
# address-space limit is left out: ASan reserves terabytes of shadow address space; the peak
# RSS is checked instead.
set(KILN_ROBUSTNESS_ARGS --kiln $<TARGET_FILE:kiln>)
if(KILN_SANITIZE)
  list(APPEND KILN_ROBUSTNESS_ARGS --asan)
endif()
add_test(NAME robustness
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/robustness/run_corpus.py
          ${KILN_ROBUSTNESS_ARGS})
set_tests_properties(robustness PROPERTIES TIMEOUT 600 LABELS robustness)
