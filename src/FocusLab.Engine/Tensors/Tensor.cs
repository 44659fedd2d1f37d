using System.Numerics;

namespace FocusLab.Engine.Tensors;

/// <summary>
/// A contiguous, row-major tensor of <typeparamref name="T"/> (float for training, double for
/// gradient checks and Hessian-vector products). Several tensors may share one buffer (reshapes are
/// views), so <see cref="Data"/> can be longer than <see cref="Length"/>; always use <see cref="Span"/>.
/// </summary>
public sealed class Tensor<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>A zero-filled tensor of the given shape, with a buffer of its own.</summary>
    public Tensor(params int[] shape) : this(new T[Shapes.Product(shape)], shape) { }

    /// <summary>A tensor over an existing buffer (not copied), which must hold at least the shape's element count.</summary>
    /// <param name="data">The backing buffer; the tensor uses its first product(shape) elements.</param>
    /// <param name="shape">The dimensions, outermost first (row-major).</param>
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

    /// <summary>The dimensions, outermost first.</summary>
    public int[] Shape { get; }

    /// <summary>The number of dimensions (0 for a scalar).</summary>
    public int Rank => Shape.Length;

    /// <summary>The number of elements: the product of <see cref="Shape"/>.</summary>
    public int Length { get; }

    /// <summary>The tensor's elements in row-major order (exactly <see cref="Length"/> of them).</summary>
    public Span<T> Span => Data.AsSpan(0, Length);

    /// <summary>Size of the last dimension (1 for a scalar).</summary>
    public int LastDim => Shape.Length == 0 ? 1 : Shape[^1];

    /// <summary>Product of all but the last dimension: the number of rows of the [rows, LastDim] view.</summary>
    public int Rows => Length / Math.Max(1, LastDim);

    /// <summary>Element <paramref name="i"/> in row-major order.</summary>
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

    /// <summary>A copy with a buffer of its own.</summary>
    public Tensor<T> Clone()
    {
        var copy = new Tensor<T>(Shape);
        Span.CopyTo(copy.Span);
        return copy;
    }

    /// <summary>Sets every element to zero.</summary>
    public void Clear() => Span.Clear();

    /// <summary>A new tensor holding a copy of <paramref name="values"/>, which must fill the shape exactly.</summary>
    public static Tensor<T> FromArray(T[] values, params int[] shape)
    {
        var t = new Tensor<T>(shape);
        if (values.Length != t.Length)
            throw new ArgumentException($"{values.Length} values do not fill shape [{string.Join(", ", shape)}] ({t.Length} elements).", nameof(values));
        values.CopyTo(t.Span);
        return t;
    }

    /// <summary>The element type and shape, e.g. <c>Tensor&lt;Single&gt;[8, 4]</c>.</summary>
    public override string ToString() => $"Tensor<{typeof(T).Name}>[{string.Join(", ", Shape)}]";
}
