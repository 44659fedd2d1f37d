using System.Numerics;
using FocusLab.Engine.Tensors;

namespace FocusLab.Engine.Autodiff;

/// <summary>
/// A node of the tape: a value and, when gradients are recorded, a gradient buffer of the same
/// shape into which the backward pass accumulates (+=). On a tape in tangent mode
/// (<see cref="Tape{T}.TangentMode"/>) a variable that needs a gradient also carries the directional
/// derivative of its value, ẋ = dx/dθ·v, and of its gradient, (∂L/∂x)˙ — Pearlmutter's R-operator
/// (Neural Computation 6(1), 1994) — so that after Backward the leaves' gradient tangents hold H·v.
/// </summary>
public sealed class Variable<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    internal Variable(Tensor<T> value, Tensor<T>? grad)
    {
        if (grad is not null && grad.Length != value.Length)
            throw new ArgumentException($"Gradient {Shapes.Format(grad.Shape)} does not match value {Shapes.Format(value.Shape)}.");
        Value = value;
        Grad = grad;
    }

    internal Variable(Tensor<T> value, Tensor<T>? grad, Tensor<T>? tangent, Tensor<T>? gradTangent) : this(value, grad)
    {
        if (tangent is not null && tangent.Length != value.Length)
            throw new ArgumentException($"Tangent {Shapes.Format(tangent.Shape)} does not match value {Shapes.Format(value.Shape)}.");
        if (gradTangent is not null && (grad is null || gradTangent.Length != value.Length))
            throw new ArgumentException($"Gradient tangent {Shapes.Format(gradTangent.Shape)} needs a gradient of the value's shape {Shapes.Format(value.Shape)}.");
        Tangent = tangent;
        GradTangent = gradTangent;
    }

    /// <summary>The value computed by the forward pass.</summary>
    public Tensor<T> Value { get; }

    /// <summary>Null when no gradient flows to this variable (constants, inputs, inference tapes).</summary>
    public Tensor<T>? Grad { get; }

    /// <summary>ẋ, the tangent of the value along the direction v (tangent mode only; null means zero).</summary>
    public Tensor<T>? Tangent { get; }

    /// <summary>The tangent of the gradient, accumulated by the backward pass (tangent mode only; null: not wanted).</summary>
    public Tensor<T>? GradTangent { get; }

    /// <summary>Whether the backward pass computes a gradient for this variable.</summary>
    public bool RequiresGrad => Grad is not null;

    /// <summary>The shape of <see cref="Value"/>.</summary>
    public int[] Shape => Value.Shape;

    /// <summary>The shape and whether a gradient flows, for logs.</summary>
    public override string ToString() => $"Variable{Shapes.Format(Shape)}{(RequiresGrad ? " (grad)" : "")}";
}
