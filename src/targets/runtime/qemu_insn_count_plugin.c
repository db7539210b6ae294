/* A QEMU TCG plugin that counts executed guest instructions exactly, built by `kiln bench` with
 * the host C compiler and loaded with `-plugin`. Written for kiln.
 *
 * Arguments: mark=<hex address of kiln_rt_mark>, out=<file>.
 * Every translated block adds its instruction count to a 64-bit counter when it starts executing
 * (an inline add, no helper call). The first instruction of kiln_rt_mark gets a callback that
 * appends the counter's value to the output file, one decimal number per line. The difference
 * between two marks is therefore the exact number of guest instructions executed between them
 * (the firmware never faults or takes interrupts inside a measured region, so every block runs
 * to its end); it is independent of host speed and identical run to run.
 *
 * Debian's QEMU is built with plugin support but ships no qemu-plugin.h, so the handful of API
 * declarations used here are spelled out below (QEMU plugin API version 1, as in QEMU 7.2). */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb* tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void* userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb* tb);
struct qemu_plugin_insn* qemu_plugin_tb_get_insn(const struct qemu_plugin_tb* tb, size_t index);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn* insn);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb* tb, enum qemu_plugin_op op,
                                              void* ptr, uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn* insn,
                                            qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void* userdata);

#define KILN_PLUGIN_EXPORT __attribute__((visibility("default")))

KILN_PLUGIN_EXPORT int qemu_plugin_version = 1;

static uint64_t executed_instructions;
static uint64_t mark_address;
static FILE* out_file;

static void on_mark(unsigned int vcpu_index, void* userdata) {
  (void)vcpu_index;
  (void)userdata;
  fprintf(out_file, "%" PRIu64 "\n", executed_instructions);
  fflush(out_file);
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb* tb) {
  size_t n = qemu_plugin_tb_n_insns(tb);
  size_t i;
  (void)id;
  qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &executed_instructions,
                                           (uint64_t)n);
  for (i = 0; i < n; ++i) {
    struct qemu_plugin_insn* insn = qemu_plugin_tb_get_insn(tb, i);
    if (qemu_plugin_insn_vaddr(insn) == mark_address)
      qemu_plugin_register_vcpu_insn_exec_cb(insn, on_mark, QEMU_PLUGIN_CB_NO_REGS, NULL);
  }
}

KILN_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t* info, int argc,
                                           char** argv) {
  const char* out_path = NULL;
  int i;
  (void)info;
  for (i = 0; i < argc; ++i) {
    if (strncmp(argv[i], "mark=", 5) == 0) mark_address = strtoull(argv[i] + 5, NULL, 0);
    if (strncmp(argv[i], "out=", 4) == 0) out_path = argv[i] + 4;
  }
  if (mark_address == 0 || out_path == NULL) {
    fprintf(stderr, "kiln instruction-count plugin: needs mark=ADDRESS and out=FILE\n");
    return -1;
  }
  out_file = fopen(out_path, "w");
  if (out_file == NULL) {
    fprintf(stderr, "kiln instruction-count plugin: cannot write %s\n", out_path);
    return -1;
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
  return 0;
}
