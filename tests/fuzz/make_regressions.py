#!/usr/bin/env python3
"""Writes the hand-made fuzz regression models in tests/fuzz/regressions (run with /usr/bin/python3).

Each model pushes one shape rule or kernel past int64/int32 arithmetic (huge repeats, pads,
steps, scales, strides, dilations, ranges) the way fuzz_onnx_loader's crashes did. Models that
kiln must reject go to regressions/, valid ones that must load (slices with extreme steps) to
regressions/valid/. The fuzzer's own crash inputs (reshape_dim_product_overflow.onnx,
transpose_extra_output.onnx) are kept as found and are not generated here.
"""
import os
from onnx import helper as h, TensorProto as T

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "regressions")
VALID = {"slice_step_min", "slice_step_max"}
I64MAX = 2**63 - 1
I64MIN = -2**63
B = 2**30


def write(name, graph, opset):
    m = h.make_model(graph, opset_imports=[h.make_opsetid("", opset)])
    path = os.path.join(HERE, "valid" if name in VALID else "", name + ".onnx")
    with open(path, "wb") as f:
        f.write(m.SerializeToString())


def model(name, nodes, inputs, outputs, inits=(), opset=17):
    graph = h.make_graph(nodes, name, inputs, outputs, initializer=list(inits))
    write(name, graph, opset)


def const_model(name, nodes, outputs, inits, opset=17):
    model(name, nodes, [], outputs, inits, opset)


def vi(n, t, s):
    return h.make_tensor_value_info(n, t, s)


def c64(n, v):
    return h.make_tensor(n, T.INT64, [len(v)], v)


os.makedirs(os.path.join(HERE, "valid"), exist_ok=True)
x = vi("x", T.FLOAT, [1, 2, 3, 4])
y = vi("y", T.FLOAT, None)
model("tile_repeat_overflow",[h.make_node("Tile",["x","r"],["y"])],[x],[y],[c64("r",[2**40,2**40,1,1])])
model("pad_overflow",[h.make_node("Pad",["x","p"],["y"])],[x],[y],[c64("p",[0,0,0,I64MAX,0,0,0,5])])
model("slice_step_min",[h.make_node("Slice",["x","s","e","a","st"],["y"])],[x],[y],[c64("s",[-1]),c64("e",[I64MIN]),c64("a",[3]),c64("st",[I64MIN])])
model("slice_step_max",[h.make_node("Slice",["x","s","e","a","st"],["y"])],[x],[y],[c64("s",[0]),c64("e",[I64MAX]),c64("a",[3]),c64("st",[I64MAX])])
model("range_int_overflow",[h.make_node("Range",["a","b","c"],["y"])],[],[vi("y",T.INT64,None)],[h.make_tensor("a",T.INT64,[],[I64MIN]),h.make_tensor("b",T.INT64,[],[I64MAX]),h.make_tensor("c",T.INT64,[],[1])])
model("range_float_inf",[h.make_node("Range",["a","b","c"],["y"])],[],[vi("y",T.FLOAT,None)],[h.make_tensor("a",T.FLOAT,[],[0]),h.make_tensor("b",T.FLOAT,[],[float('inf')]),h.make_tensor("c",T.FLOAT,[],[1])])
model("resize_inf_scale",[h.make_node("Resize",["x","","sc"],["y"])],[x],[y],[h.make_tensor("sc",T.FLOAT,[4],[1,1,float('inf'),1])])
model("resize_sizes_policy",[h.make_node("Resize",["x","","","sz"],["y"],keep_aspect_ratio_policy="not_smaller",axes=[2,3])],[x],[y],[c64("sz",[I64MAX,1])],opset=18)
w=h.make_tensor("w",T.FLOAT,[1,2,2,2],[0.0]*8)
model("conv_dilation_overflow",[h.make_node("Conv",["x","w"],["y"],dilations=[I64MAX,1])],[x],[y],[w])
wt=h.make_tensor("wt",T.FLOAT,[2,1,2,2],[0.0]*8)
model("convT_output_shape",[h.make_node("ConvTranspose",["x","wt"],["y"],output_shape=[I64MIN,5])],[x],[y],[wt])
model("constant_of_shape_huge",[h.make_node("ConstantOfShape",["s"],["y"])],[],[vi("y",T.FLOAT,None)],[c64("s",[2**32,2**32])])
model("split_sum_overflow",[h.make_node("Split",["x","s"],["y","z"],axis=3)],[x],[y,vi("z",T.FLOAT,None)],[c64("s",[I64MAX,I64MAX])])
X=h.make_tensor("x",T.FLOAT,[1,1,3,4],[1.0]*12)
W=h.make_tensor("w",T.FLOAT,[1,1,2,2],[1.0]*4)
const_model("fold_conv_big_stride",[h.make_node("Conv",["x","w"],["y"],strides=[B,B],pads=[B-1,B-1,B-1,B-1])],[y],[X,W])
const_model("fold_avgpool_big",[h.make_node("AveragePool",["x"],["y"],kernel_shape=[B,2],pads=[B-2,0,B-2,0],strides=[B,1],count_include_pad=1)],[y],[X])
WT=h.make_tensor("wt",T.FLOAT,[1,1,2,2],[1.0]*4)
const_model("fold_convT_big",[h.make_node("ConvTranspose",["x","wt"],["y"],strides=[B,1],pads=[B,0,B,0])],[y],[X,WT])
