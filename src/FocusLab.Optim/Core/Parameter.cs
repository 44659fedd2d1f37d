namespace FocusLab.Optim;

/// <summary>
/// A named, shaped float32 buffer the optimizer updates in place, with the gradient buffer it reads.
/// Both are views (<see cref="Memory{T}"/>), so a model may keep its parameters in one flat buffer.
/// </summary>
public sealed class Parameter
{
    /// <summary>
    /// Wraps existing buffers without copying them: the optimizer writes θ into <paramref name="data"/> and
    /// reads the gradient from <paramref name="grad"/>, so both may be slices of a model's own flat arrays.
    /// </summary>
    /// <param name="name">Unique name within an optimizer; it keys the saved state.</param>
    /// <param name="shape">Logical shape; its product must equal the buffers' length (matrix-aware optimizers such as Adafactor read rows and columns from it).</param>
    /// <param name="data">The parameter values, updated in place by each step.</param>
    /// <param name="grad">The gradient the next step reads; same length as <paramref name="data"/>.</param>
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

    /// <summary>The parameter's name, unique within an optimizer; saved state is matched by it.</summary>
    public string Name { get; }
    /// <summary>The logical shape (a copy of the one given); its product is <see cref="Length"/>.</summary>
    public int[] Shape { get; }
    /// <summary>Number of float coordinates.</summary>
    public int Length => Data.Length;
    /// <summary>The values θ, which every step updates in place.</summary>
    public Memory<float> Data { get; }
    /// <summary>The gradient buffer the next step reads; the caller fills it (and <see cref="Optimizer.ZeroGrad"/> clears it).</summary>
    public Memory<float> Grad { get; }
    /// <summary>The values as a span, for writing initial values or reading results.</summary>
    public Span<float> DataSpan => Data.Span;
    /// <summary>The gradient as a span, where the caller writes ∂loss/∂θ before each step.</summary>
    public Span<float> GradSpan => Grad.Span;

    /// <summary>Rows and columns when the parameter is a matrix (rank 2); the trailing axes are folded into columns for rank &gt; 2.</summary>
    internal (int Rows, int Cols) MatrixView => Shape.Length >= 2 ? (Shape[0], Length / Math.Max(1, Shape[0])) : (1, Length);

    /// <summary>The shape as text, e.g. <c>[512, 256]</c>.</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";

    /// <summary>Name and shape, e.g. <c>w[512, 256]</c>.</summary>
    public override string ToString() => $"{Name}{ShapeText}";

    private static int Count(int[] shape)
    {
        long n = 1;
        foreach (int d in shape) n *= d;
        return checked((int)n);
    }
}
