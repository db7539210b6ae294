// Memory levels in target descriptions (src/targets/target.hpp): the built-in Cortex-M55 and
// Cortex-M4 levels, and the load-time errors for a level the board cannot hold.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "ir/error.hpp"
#include "targets/embedded_targets.hpp"
#include "targets/target.hpp"

namespace kiln {
namespace {

nlohmann::json builtin_description(const std::string& name) {
  return nlohmann::json::parse(embedded_target_descriptions().at(name + ".json"));
}

std::string load_error(const nlohmann::json& description) {
  try {
    parse_target(description.dump(), "custom.json");
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

TEST(TargetMemoryLevels, CortexM55HasDtcmSramAndDdrLevels) {
  const Target& m55 = find_target("cortex-m55");
  ASSERT_EQ(m55.memory_levels.size(), 3u);
  const TargetMemoryLevel* l1 = m55.memory_level("L1");
  const TargetMemoryLevel* l3 = m55.memory_level("L3");
  ASSERT_NE(l1, nullptr);
  ASSERT_NE(l3, nullptr);
  EXPECT_EQ(l1->region, "DTCM");
  EXPECT_EQ(l1->bytes, 512u * 1024u);  // the whole region when no budget is given
  EXPECT_EQ(l3->region, "DDR");
  ASSERT_TRUE(m55.dma.has_value());
  EXPECT_GT(m55.dma->bytes_per_cycle, 0);
  EXPECT_EQ(m55.memory_level("L4"), nullptr);
}

TEST(TargetMemoryLevels, CortexM4HasAUserChosenL1BudgetInsideItsSram) {
  const Target& m4 = find_target("cortex-m4");
  const TargetMemoryLevel* l1 = m4.memory_level("L1");
  const TargetMemoryLevel* l2 = m4.memory_level("L2");
  ASSERT_NE(l1, nullptr);
  ASSERT_NE(l2, nullptr);
  EXPECT_EQ(l1->region, l2->region);
  EXPECT_EQ(l1->bytes, 64u * 1024u);
  EXPECT_EQ(l2->bytes, 4u * 1024u * 1024u);
}

TEST(TargetMemoryLevels, LevelInARegionTheBoardLacksIsAnErrorAtLoad) {
  nlohmann::json m4 = builtin_description("cortex-m4");
  m4["memory"]["levels"].push_back({{"name", "L3"}, {"region", "DDR"}, {"access_cycles", 20}});
  const std::string message = load_error(m4);
  EXPECT_NE(message.find("custom.json"), std::string::npos) << message;
  EXPECT_NE(message.find("'DDR'"), std::string::npos) << message;
  EXPECT_NE(message.find("mps2-an386"), std::string::npos) << message;
  EXPECT_NE(message.find("SSRAM1, SSRAM23"), std::string::npos) << message;
}

TEST(TargetMemoryLevels, BudgetLargerThanItsRegionIsAnError) {
  nlohmann::json m55 = builtin_description("cortex-m55");
  m55["memory"]["levels"][0]["bytes"] = "0x00100000";  // 1 MiB in the 512 KiB DTCM
  EXPECT_NE(load_error(m55).find("memory.levels[0].bytes"), std::string::npos) << load_error(m55);
}

TEST(TargetMemoryLevels, SeveralLevelsNeedADmaEngine) {
  nlohmann::json m55 = builtin_description("cortex-m55");
  m55["memory"].erase("dma");
  EXPECT_NE(load_error(m55).find("memory.dma"), std::string::npos) << load_error(m55);
}

TEST(TargetMemoryLevels, RepeatedLevelNamesAreAnError) {
  nlohmann::json m55 = builtin_description("cortex-m55");
  m55["memory"]["levels"][1]["name"] = "L1";
  EXPECT_NE(load_error(m55).find("repeats 'L1'"), std::string::npos) << load_error(m55);
}

}  // namespace
}  // namespace kiln
