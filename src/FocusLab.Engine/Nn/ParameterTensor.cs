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
    /// <summary>A zero-initialised parameter and its zero gradient, both of <paramref name="shape"/>.</summary>
    /// <param name="name">Dotted module path, unique within a model (it keys optimizer state and checkpoints).</param>
    /// <param name="shape">The dimensions.</param>
    public ParameterTensor(string name, params int[] shape)
    {
        Name = name;
        Value = new Tensor<T>(shape);
        Grad = new Tensor<T>(shape);
    }

    /// <summary>The dotted module path, e.g. <c>blocks.0.attn.c_attn.weight</c>.</summary>
    public string Name { get; }

    /// <summary>The trainable values, updated in place by the optimizer.</summary>
    public Tensor<T> Value { get; }

    /// <summary>The gradient, accumulated (+=) by each backward pass; clear it with <see cref="Module{T}.ZeroGrad"/>.</summary>
    public Tensor<T> Grad { get; }

    /// <summary>The dimensions of <see cref="Value"/>.</summary>
    public int[] Shape => Value.Shape;

    /// <summary>The number of scalars.</summary>
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

    /// <summary>Name and shape, for logs.</summary>
    public override string ToString() => $"{Name} {Shapes.Format(Shape)}";
}
