using System.Numerics;

namespace FocusLab.Engine.Tensors;

/// <summary>
/// A contiguous, row-major tensor of <typeparamref name="T"/> (float for training, double for
/// gradient checks and Hessian-vector products). Several tensors may share one buffer (reshapes are
/// views), so <see cref="Data"/> can be longer than <see cref="Length"/>; always use <see cref="Span"/>.
/// </summary>
public sealed class Tensor<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public Tensor(params int[] shape) : this(new T[Shapes.Product(shape)], shape) { }

    public Tensor(T[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        Shapes.Validate(shape);
        int length = Shapes.Product(shape);
        if (data.Length < length)
            throw new ArgumentException($"The buffer holds {data.Length} elements but shape [{string.Join(", ", shape)}] needs {length}; pass a larger buffer.", nameof(data));
        Data = data;
        Shape = (int[])shape.Clone();
        Length = length;
    }

    /// <summary>The backing buffer (may be longer than <see cref="Length"/>).</summary>
    public T[] Data { get; }

    public int[] Shape { get; }

    public int Rank => Shape.Length;

    public int Length { get; }

    public Span<T> Span => Data.AsSpan(0, Length);

    /// <summary>Size of the last dimension (1 for a scalar).</summary>
    public int LastDim => Shape.Length == 0 ? 1 : Shape[^1];

    /// <summary>Product of all but the last dimension: the number of rows of the [rows, LastDim] view.</summary>
    public int Rows => Length / Math.Max(1, LastDim);

    public T this[int i]
    {
        get => Span[i];
        set => Span[i] = value;
    }

    /// <summary>A view with another shape over the same buffer (same element count).</summary>
    public Tensor<T> Reshape(params int[] shape)
    {
        shape = Shapes.Resolve(shape, Length);
        return new Tensor<T>(Data, shape);
    }

    public Tensor<T> Clone()
    {
        var copy = new Tensor<T>(Shape);
        Span.CopyTo(copy.Span);
        return copy;
    }

    public void Clear() => Span.Clear();

    public static Tensor<T> FromArray(T[] values, params int[] shape)
    {
        var t = new Tensor<T>(shape);
        if (values.Length != t.Length)
            throw new ArgumentException($"{values.Length} values do not fill shape [{string.Join(", ", shape)}] ({t.Length} elements).", nameof(values));
        values.CopyTo(t.Span);
        return t;
    }

    public override string ToString() => $"Tensor<{typeof(T).Name}>[{string.Join(", ", Shape)}]";
}
