// The model catalog and the make_objective factory: what exists, and what each model accepts.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "models/model_spec.hpp"
#include "tests/support/model_specs.hpp"

namespace {

using sgdsim::Task;
using sgdsim::testing::make_model;
using sgdsim::testing::spec_of;

}  // namespace

TEST_CASE("the catalog lists every model once, with a description and its task",
          "[models][registry]") {
  const auto& catalog = sgdsim::model_catalog();
  std::vector<std::string> names;
  for (const auto& info : catalog) {
    names.push_back(info.name);
    CHECK(!info.description.empty());
    CHECK(sgdsim::find_model(info.name) == &info);
  }
  CHECK(names == std::vector<std::string>{"least_squares", "logistic", "softmax", "mlp",
                                          "sequential", "lenet5", "resnet8", "resnet20"});
  CHECK(!sgdsim::find_model("mlp")->layered);
  CHECK(sgdsim::find_model("resnet20")->layered);
  CHECK(sgdsim::find_model("logistic")->task == Task::binary);
  CHECK(sgdsim::find_model("least_squares")->task == Task::regression);
  CHECK(sgdsim::find_model("mlp")->task == Task::multiclass);
  CHECK(sgdsim::find_model("perceptron") == nullptr);
}

TEST_CASE("make_objective builds every catalog model for data of its task", "[models][registry]") {
  for (const auto& info : sgdsim::model_catalog()) {
    DYNAMIC_SECTION(info.name) {
      const int num_classes = info.task == Task::regression ? 0 : info.task == Task::binary ? 2 : 5;
      sgdsim::ModelSpec spec = spec_of(info.name);
      if (info.name == "sequential")
        spec.layers = {{.kind = sgdsim::nn::LayerKind::dense, .units = 5}};
      // Networks of layers take the data's image shape (here 1x16x16, 256 features).
      const sgdsim::ImageShape image{1, 16, 16};
      const Eigen::Index features = info.layered ? image.size() : 3;
      CHECK(sgdsim::make_objective<float>(spec, features, num_classes, image) != nullptr);
      CHECK(sgdsim::make_objective<double>(spec, features, num_classes, image) != nullptr);
    }
  }
}

TEST_CASE("make_objective rejects unknown models and data of the wrong task",
          "[models][registry]") {
  using Catch::Matchers::Contains;
  CHECK_THROWS_WITH(make_model("perceptron", 3, 2), Contains("unknown model 'perceptron'") &&
                                                        Contains("least_squares") &&
                                                        Contains("mlp"));
  CHECK_THROWS_WITH(make_model("logistic", 3, 10), Contains("logistic") && Contains("10 classes"));
  CHECK_THROWS_AS(make_model("logistic", 3, 0), std::invalid_argument);
  CHECK_THROWS_WITH(make_model("least_squares", 3, 2), Contains("least_squares"));
  CHECK_THROWS_AS(make_model("softmax", 3, 0), std::invalid_argument);
  CHECK_THROWS_AS(make_model("softmax", 3, 1), std::invalid_argument);
  CHECK_THROWS_AS(make_model("mlp", 3, 1, {4}), std::invalid_argument);
  CHECK_THROWS_AS(make_model("mlp", 0, 3, {4}), std::invalid_argument);
  CHECK_THROWS_WITH(make_model("mlp", 3, 3, {4, 0}), Contains(">= 1"));
  CHECK_THROWS_WITH(make_model("softmax", 3, 3, {4}), Contains("hidden"));
  CHECK_THROWS_AS(sgdsim::make_objective<float>(spec_of("logistic"), 3, 3), std::invalid_argument);
  // Softmax and mlp accept binary data.
  CHECK_NOTHROW(make_model("softmax", 3, 2));
  CHECK_NOTHROW(make_model("mlp", 3, 2, {4}));
}
