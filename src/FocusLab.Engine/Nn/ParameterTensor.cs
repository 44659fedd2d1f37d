using System.Numerics;
using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Tensors;

namespace FocusLab.Engine.Nn;

/// <summary>
/// A named trainable tensor with its gradient buffer. Names follow PyTorch's dotted module paths
/// (e.g. <c>blocks.0.attn.c_attn.weight</c>, <c>layers.2.bn.bias</c>) so optimizer groups can be
/// chosen by name; <see cref="WeightDecay"/> is the usual rule (decay matrices, not biases or norm gains).
/// </summary>
public sealed class ParameterTensor<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public ParameterTensor(string name, params int[] shape)
    {
        Name = name;
        Value = new Tensor<T>(shape);
        Grad = new Tensor<T>(shape);
    }

    public string Name { get; }

    public Tensor<T> Value { get; }

    public Tensor<T> Grad { get; }

    public int[] Shape => Value.Shape;

    public int Length => Value.Length;

    /// <summary>True for weight matrices and embeddings (rank ≥ 2); false for biases and normalisation gains/shifts.</summary>
    public bool WeightDecay => Value.Rank >= 2;

    /// <summary>
    /// True for embeddings and output heads, whose rows are tokens or classes rather than features:
    /// optimizers built for weight matrices (muon) leave them to an elementwise optimizer.
    /// </summary>
    public bool IsEmbeddingOrHead { get; internal set; }

    /// <summary>
    /// Block id of each row for blockwise optimizers (Adam-mini): rows with equal ids share one
    /// second moment, e.g. the rows of one attention head's query projection. Null: one block per row.
    /// </summary>
    public int[]? RowBlocks { get; internal set; }

    /// <summary>A tape leaf whose gradient accumulates into <see cref="Grad"/>.</summary>
    public Variable<T> On(Tape<T> tape) => tape.Leaf(Value, Grad);

    /// <summary>The FocusLab.Optim view of a float parameter (created once, shares the buffers).</summary>
    internal FocusLab.Optim.Parameter? OptimView { get; set; }

    public override string ToString() => $"{Name} {Shapes.Format(Shape)}";
}
