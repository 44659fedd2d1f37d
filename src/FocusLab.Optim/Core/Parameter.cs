namespace FocusLab.Optim;

/// <summary>
/// A named, shaped float32 buffer the optimizer updates in place, with the gradient buffer it reads.
/// Both are views (<see cref="Memory{T}"/>), so a model may keep its parameters in one flat buffer.
/// </summary>
public sealed class Parameter
{
    public Parameter(string name, int[] shape, Memory<float> data, Memory<float> grad)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(shape);
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"Parameter '{name}': shape [{string.Join(", ", shape)}] has a negative dimension.", nameof(shape));
            n *= d;
        }
        if (n != data.Length)
            throw new ArgumentException($"Parameter '{name}': shape [{string.Join(", ", shape)}] holds {n} values but the data buffer has {data.Length}.", nameof(data));
        if (grad.Length != data.Length)
            throw new ArgumentException($"Parameter '{name}': gradient buffer has {grad.Length} values but the data buffer has {data.Length}; they must match.", nameof(grad));
        Name = name;
        Shape = (int[])shape.Clone();
        Data = data;
        Grad = grad;
    }

    /// <summary>Allocates zeroed data and gradient buffers of the given shape.</summary>
    public Parameter(string name, params int[] shape)
        : this(name, shape, new float[Count(shape)], new float[Count(shape)]) { }

    /// <summary>Wraps existing values (copied by reference) with a fresh zero gradient.</summary>
    public Parameter(string name, float[] data, int[]? shape = null)
        : this(name, shape ?? [data.Length], data, new float[data.Length]) { }

    /// <summary>
    /// Optional block id of each row (first axis), given by the model for blockwise optimizers: rows with
    /// equal ids share one block (Adam-mini puts each attention head's query and key rows in one block).
    /// Null lets the optimizer choose. Must have one entry per row.
    /// </summary>
    public int[]? RowBlocks
    {
        get => _rowBlocks;
        init
        {
            if (value is not null && (Shape.Length < 2 || value.Length != Shape[0]))
                throw new ArgumentException($"Parameter '{Name}': {value.Length} row block ids for shape {ShapeText}; give one per row of a matrix.", nameof(RowBlocks));
            _rowBlocks = value;
        }
    }
    private readonly int[]? _rowBlocks;

    public string Name { get; }
    public int[] Shape { get; }
    public int Length => Data.Length;
    public Memory<float> Data { get; }
    public Memory<float> Grad { get; }
    public Span<float> DataSpan => Data.Span;
    public Span<float> GradSpan => Grad.Span;

    /// <summary>Rows and columns when the parameter is a matrix (rank 2); the trailing axes are folded into columns for rank &gt; 2.</summary>
    internal (int Rows, int Cols) MatrixView => Shape.Length >= 2 ? (Shape[0], Length / Math.Max(1, Shape[0])) : (1, Length);

    public string ShapeText => "[" + string.Join(", ", Shape) + "]";

    public override string ToString() => $"{Name}{ShapeText}";

    private static int Count(int[] shape)
    {
        long n = 1;
        foreach (int d in shape) n *= d;
        return checked((int)n);
    }
}
