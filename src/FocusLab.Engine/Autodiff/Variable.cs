using System.Numerics;
using FocusLab.Engine.Tensors;

namespace FocusLab.Engine.Autodiff;

/// <summary>
/// A node of the tape: a value and, when gradients are recorded, a gradient buffer of the same
/// shape into which the backward pass accumulates (+=).
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

    public Tensor<T> Value { get; }

    /// <summary>Null when no gradient flows to this variable (constants, inputs, inference tapes).</summary>
    public Tensor<T>? Grad { get; }

    public bool RequiresGrad => Grad is not null;

    public int[] Shape => Value.Shape;

    public override string ToString() => $"Variable{Shapes.Format(Shape)}{(RequiresGrad ? " (grad)" : "")}";
}
