#!/usr/bin/python3
"""Trains kiln's Fashion-MNIST accuracy network and writes every committed artefact derived from it.

Run from anywhere with Debian's interpreter (python3-torch, python3-onnx, python3-numpy):

    /usr/bin/python3 examples/fashion_mnist/train.py

Data   : Debian package dataset-fashion-mnist, /usr/share/datasets/fashion-mnist/
         {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz (60,000 training and 10,000 test
         images, uint8 28x28, ten classes). Override the directory with FASHION_MNIST_DIR.
Input  : float32 NCHW 1x1x28x28, value = (pixel / 255 - 0.2860) / 0.3530 (the training set's
         mean and standard deviation); for kiln:
         --preprocess "scale=1/255,mean=0.2860,std=0.3530".
Network: Conv(1->16, 3x3, pad 1) Relu MaxPool(2)   28x28 -> 14x14
         Conv(16->32, 3x3, pad 1) Relu MaxPool(2)  14x14 -> 7x7
         Flatten Gemm(1568->64) Relu Gemm(64->10) -> logits (no softmax).
Outputs: fashion_mnist.onnx (opset 13, input "input" 1x1x28x28, output "logits" 1x10),
         reference/test_logits.bin (PyTorch's logits for the first REFERENCE_COUNT test images,
         float32 little-endian, REFERENCE_COUNT x 10), reference/metrics.json (accuracy and
         settings), test_data_set_{0,1,2}/input_0.pb + output_0.pb (test images 0..2) for
         `kiln verify fashion_mnist.onnx --inputs examples/fashion_mnist`.

Everything is seeded and runs single-threaded with deterministic algorithms, so a rerun on the
same PyTorch build reproduces the committed files. Takes about 2-4 minutes on one core.
"""

import gzip
import json
import os
import random
import struct
import sys
import time

import numpy as np
import onnx
import torch
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
DATA_DIR = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")
SEED = 20241122
EPOCHS = 4
BATCH_SIZE = 64
LEARNING_RATE = 1e-3
MEAN = 0.2860
STD = 0.3530
REFERENCE_COUNT = 100
TEST_DATA_SETS = 3
OPSET = 13
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def read_idx_gz(name, expected_magic):
    path = os.path.join(DATA_DIR, name)
    with gzip.open(path, "rb") as f:
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


def preprocess(pixels):
    # float32 arithmetic in this order; kiln's "scale=1/255,mean=0.2860,std=0.3530" computes the
    # same formula in double and rounds once (differences below 1e-6, irrelevant to accuracy).
    x = pixels.astype(np.float32) / np.float32(255.0)
    x = (x - np.float32(MEAN)) / np.float32(STD)
    return torch.from_numpy(x).unsqueeze(1)


class FashionNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 16, kernel_size=3, padding=1)
        self.conv2 = torch.nn.Conv2d(16, 32, kernel_size=3, padding=1)
        self.pool = torch.nn.MaxPool2d(2)
        self.fc1 = torch.nn.Linear(32 * 7 * 7, 64)
        self.fc2 = torch.nn.Linear(64, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.pool(torch.relu(self.conv2(x)))
        x = torch.relu(self.fc1(torch.flatten(x, 1)))
        return self.fc2(x)


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
        started = time.time()
        order = torch.randperm(images.shape[0], generator=generator)
        total_loss = 0.0
        for start in range(0, images.shape[0], BATCH_SIZE):
            batch = order[start : start + BATCH_SIZE]
            optimizer.zero_grad()
            loss = loss_fn(model(images[batch]), labels[batch])
            loss.backward()
            optimizer.step()
            total_loss += loss.item() * batch.numel()
        print(f"epoch {epoch + 1}/{EPOCHS}: mean training loss "
              f"{total_loss / images.shape[0]:.4f} ({time.time() - started:.0f} s)", flush=True)


def write_tensor_pb(path, array, name):
    tensor = numpy_helper.from_array(np.ascontiguousarray(array), name=name)
    with open(path, "wb") as f:
        f.write(tensor.SerializeToString())


def main():
    make_deterministic()
    train_images = preprocess(read_idx_gz("train-images-idx3-ubyte.gz", 0x803))
    train_labels = torch.from_numpy(read_idx_gz("train-labels-idx1-ubyte.gz", 0x801).astype(np.int64))
    test_images = preprocess(read_idx_gz("t10k-images-idx3-ubyte.gz", 0x803))
    test_labels = read_idx_gz("t10k-labels-idx1-ubyte.gz", 0x801).astype(np.int64)

    model = FashionNet()
    train(model, train_images, train_labels)
    model.eval()

    with torch.no_grad():
        test_logits = torch.cat([model(test_images[i : i + 1000]) for i in range(0, len(test_labels), 1000)])
        # The reference logits come from batch-1 runs, the computation the exported model does.
        reference = torch.cat([model(test_images[i : i + 1]) for i in range(REFERENCE_COUNT)])
    predictions = test_logits.argmax(dim=1).numpy()
    correct = int((predictions == test_labels).sum())
    accuracy = correct / len(test_labels)
    print(f"test accuracy: {correct}/{len(test_labels)} = {accuracy:.4f}")

    model_path = os.path.join(HERE, "fashion_mnist.onnx")
    torch.onnx.export(model, test_images[:1], model_path, input_names=["input"],
                      output_names=["logits"], opset_version=OPSET, do_constant_folding=True)
    exported = onnx.load(model_path)
    onnx.checker.check_model(exported)
    exported.graph.name = "fashion_mnist"
    exported.doc_string = "kiln Fashion-MNIST accuracy network; see examples/fashion_mnist/README.md"
    onnx.save(exported, model_path)

    logits = reference.numpy().astype("<f4")
    reference_dir = os.path.join(HERE, "reference")
    os.makedirs(reference_dir, exist_ok=True)
    logits.tofile(os.path.join(reference_dir, "test_logits.bin"))
    metadata = {
        "model": "fashion_mnist.onnx",
        "data": DATA_DIR,
        "classes": CLASSES,
        "preprocessing": f"(float32(pixel) / 255 - {MEAN}) / {STD}, shape 1x1x28x28",
        "kiln_preprocess": f"scale=1/255,mean={MEAN},std={STD}",
        "test_correct": correct,
        "test_count": len(test_labels),
        "test_accuracy": accuracy,
        "logits_file": "test_logits.bin",
        "logits_dtype": "float32 little-endian",
        "logits_shape": list(logits.shape),
        "logits_images": "test images [0, %d) in file order" % REFERENCE_COUNT,
        "seed": SEED,
        "epochs": EPOCHS,
        "batch_size": BATCH_SIZE,
        "learning_rate": LEARNING_RATE,
        "torch_version": torch.__version__,
        "opset": OPSET,
    }
    with open(os.path.join(reference_dir, "metrics.json"), "w") as f:
        json.dump(metadata, f, indent=2)
        f.write("\n")

    for index in range(TEST_DATA_SETS):
        set_dir = os.path.join(HERE, f"test_data_set_{index}")
        os.makedirs(set_dir, exist_ok=True)
        write_tensor_pb(os.path.join(set_dir, "input_0.pb"), test_images[index : index + 1].numpy(), "input")
        write_tensor_pb(os.path.join(set_dir, "output_0.pb"), logits[index : index + 1], "logits")
    print(f"wrote {model_path}, {reference_dir} and {TEST_DATA_SETS} test data sets")


if __name__ == "__main__":
    main()
