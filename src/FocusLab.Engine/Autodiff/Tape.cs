using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using FocusLab.Engine.Tensors;

namespace FocusLab.Engine.Autodiff;

/// <summary>
/// Reverse-mode automatic differentiation by a tape (Wengert list): every operation computes its
/// forward result on flat buffers and, when the tape records, pushes a backward step that
/// accumulates into its inputs' gradients (the layer forward/backward pairs of llm.c, but generic).
/// <see cref="Backward"/> replays the steps in reverse order.
///
/// Buffers come from an arena indexed by the order of requests, so a training loop that calls
/// <see cref="Reset"/> and runs the same graph each step allocates no tensors after the first step.
/// Consequently the variables of a step are only valid until the next <see cref="Reset"/>. Use one
/// tape per graph shape (e.g. one for training, one for evaluation).
///
/// Tangent mode (<see cref="TangentMode"/>) adds forward-over-reverse differentiation for exact
/// Hessian-vector products (see <see cref="ExactHessianVectorProduct{T}"/>): every operation also
/// propagates the value tangents forward and records a second backward step for the gradient
/// tangents. With tangent mode off (the default) the operations run exactly the code they ran before.
/// </summary>
public sealed class Tape<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<Action> _backward = [];
    private readonly List<Tensor<T>> _arena = [];
    private int _cursor;

    /// <summary>An empty tape; its buffers are allocated by the first pass and reused after each <see cref="Reset"/>.</summary>
    /// <param name="recordGradients">False for inference: no gradient buffers, no backward steps.</param>
    public Tape(bool recordGradients = true) => RecordGradients = recordGradients;

    /// <summary>False for an inference tape, which allocates no gradients and records no backward steps.</summary>
    public bool RecordGradients { get; }

    /// <summary>Number of recorded backward steps.</summary>
    public int Count => _backward.Count;

    /// <summary>Forgets the recorded steps; the arena's buffers are reused by the next pass.</summary>
    public void Reset()
    {
        _backward.Clear();
        _cursor = 0;
        _tangentPending = false;
    }

    /// <summary>A constant (input) variable: no gradient.</summary>
    public Variable<T> Constant(Tensor<T> value) => new(value, null);

    /// <summary>A leaf whose gradient accumulates into <paramref name="grad"/> (e.g. a model parameter).</summary>
    public Variable<T> Leaf(Tensor<T> value, Tensor<T> grad)
    {
        if (TangentMode && _leafTangents is not null && _leafTangents.TryGetValue(value, out var t))
            return new(value, grad, t.Tangent, t.GradTangent);
        return new(value, RecordGradients ? grad : null);
    }

    /// <summary>A leaf with an explicit tangent ẋ (the direction) and gradient tangent (receives H·v); tangent mode only.</summary>
    public Variable<T> Leaf(Tensor<T> value, Tensor<T> grad, Tensor<T> tangent, Tensor<T> gradTangent)
    {
        if (!TangentMode) throw new InvalidOperationException("Leaves with tangents need TangentMode = true on this tape.");
        return new(value, grad, tangent, gradTangent);
    }

    /// <summary>
    /// Forward-over-reverse mode: variables that need gradients also carry value and gradient tangents.
    /// Set it on a recording tape before the first operation of a pass (right after <see cref="Reset"/>);
    /// leaves get their tangents from <see cref="SetLeafTangent"/> (a leaf without one has ẋ = 0).
    /// Use a separate tape for tangent passes so the buffer arena keeps one layout per tape.
    /// </summary>
    public bool TangentMode
    {
        get => _tangentMode;
        set
        {
            if (value == _tangentMode) return;
            if (value && !RecordGradients) throw new InvalidOperationException("Tangent mode needs a tape that records gradients (recordGradients: true).");
            if (_backward.Count > 0) throw new InvalidOperationException("Switch tangent mode only between passes: call Reset() first.");
            _tangentMode = value;
        }
    }

    private bool _tangentMode;
    private Dictionary<Tensor<T>, (Tensor<T> Tangent, Tensor<T> GradTangent)>? _leafTangents;
    private bool _tangentPending;
    private string? _pendingOp;

    /// <summary>Registers the tangent ẋ of the leaf whose value tensor is <paramref name="value"/> (e.g. a
    /// parameter's slice of the direction v) and the buffer that accumulates its gradient tangent.</summary>
    public void SetLeafTangent(Tensor<T> value, Tensor<T> tangent, Tensor<T> gradTangent)
    {
        if (tangent.Length != value.Length || gradTangent.Length != value.Length)
            throw new ArgumentException($"Tangent buffers must have the leaf's {value.Length} elements (got {tangent.Length} and {gradTangent.Length}).");
        (_leafTangents ??= new(ReferenceEqualityComparer.Instance))[value] = (tangent, gradTangent);
    }

    /// <summary>Forgets every registered leaf tangent.</summary>
    public void ClearLeafTangents() => _leafTangents?.Clear();

    /// <summary>A scratch tensor from the arena (contents undefined unless <paramref name="clear"/>).</summary>
    internal Tensor<T> Buffer(int[] shape, bool clear)
    {
        int length = Shapes.Product(shape);
        Tensor<T> t;
        if (_cursor < _arena.Count)
        {
            var old = _arena[_cursor];
            if (Shapes.Equal(old.Shape, shape)) t = old;
            else
            {
                t = old.Data.Length >= length ? new Tensor<T>(old.Data, shape) : new Tensor<T>(shape);
                _arena[_cursor] = t;
            }
        }
        else
        {
            t = new Tensor<T>(shape);
            _arena.Add(t);
        }
        _cursor++;
        if (clear) Zero(t.Data, length);
        return t;
    }

    /// <summary>Gradient buffers start at zero; large ones (a GPT step zeroes about 40 MB) on every core.</summary>
    private static void Zero(T[] data, int length)
    {
        if (length < 2 * Kernels.Parallelism.MinimumParallelWork) data.AsSpan(0, length).Clear();
        else ZeroInParallel(data, length); // a separate method, so small buffers allocate no closure
    }

    private static void ZeroInParallel(T[] data, int length) =>
        Kernels.Parallelism.ForRows(length, 1, (start, end) => data.AsSpan(start, end - start).Clear());

    /// <summary>The output variable of an operation; it gets a zeroed gradient when any input needs one.</summary>
    internal Variable<T> Output(int[] shape, bool requiresGrad)
    {
        if (Profile is not null) _opStart = Stopwatch.GetTimestamp();
        var value = Buffer(shape, clear: false);
        var grad = RecordGradients && requiresGrad ? Buffer(shape, clear: true) : null;
        if (!TangentMode || grad is null) return new Variable<T>(value, grad);
        // Tangent mode: the operation's tangent rule must fill the value tangent (checked at the next
        // operation and at Backward, so an operation without a rule can never give silent numbers).
        ThrowIfTangentRuleMissing();
        _tangentPending = true;
        _pendingOp = null;
        return new Variable<T>(value, grad, Buffer(shape, clear: false), Buffer(shape, clear: true));
    }

    private void ThrowIfTangentRuleMissing()
    {
        if (_tangentPending)
            throw new NotSupportedException($"Operation '{_pendingOp ?? "(unnamed)"}' has no tangent rule, so exact Hessian-vector products (forward-over-reverse) cannot pass through it; use the finite-difference HessianVectorProduct for this graph.");
    }

    /// <summary>A variable sharing another's buffers under a new shape (reshape views).</summary>
    internal static Variable<T> View(Variable<T> x, int[] shape)
    {
        var value = new Tensor<T>(x.Value.Data, shape);
        var grad = x.Grad is null ? null : new Tensor<T>(x.Grad.Data, shape);
        if (x.Tangent is null && x.GradTangent is null) return new(value, grad);
        return new(value, grad, x.Tangent is null ? null : new Tensor<T>(x.Tangent.Data, shape),
            x.GradTangent is null ? null : new Tensor<T>(x.GradTangent.Data, shape));
    }

    internal void Record(Action backward, [CallerMemberName] string op = "")
    {
        if (Profile is { } profile)
        {
            profile.Add(op + " forward", Stopwatch.GetElapsedTime(_opStart));
            if (_tangentPending) _opStart = Stopwatch.GetTimestamp(); // the tangent rule's forward part starts now
            if (RecordGradients)
            {
                var inner = backward;
                backward = () =>
                {
                    long t0 = Stopwatch.GetTimestamp();
                    inner();
                    profile.Add(op + " backward", Stopwatch.GetElapsedTime(t0));
                };
            }
        }
        if (RecordGradients) _backward.Add(backward);
        if (_tangentPending) _pendingOp = op;
    }

    /// <summary>Records an operation's gradient-tangent step (tangent mode); it runs next to the
    /// operation's own backward step, when its output's gradient and gradient tangent are complete.</summary>
    internal void RecordTangent(Action backward, [CallerMemberName] string op = "")
    {
        if (Profile is { } profile)
        {
            profile.Add(op + " tangent forward", Stopwatch.GetElapsedTime(_opStart));
            var inner = backward;
            backward = () =>
            {
                long t0 = Stopwatch.GetTimestamp();
                inner();
                profile.Add(op + " tangent backward", Stopwatch.GetElapsedTime(t0));
            };
        }
        _backward.Add(backward);
        _tangentPending = false;
    }

    private long _opStart;

    /// <summary>When set, wall time per operation (forward and backward) is accumulated here.</summary>
    public TapeProfile? Profile { get; set; }

    /// <summary>
    /// Back-propagates from <paramref name="output"/>. For a scalar the seed defaults to 1; for other
    /// outputs pass the seed (the gradient of some scalar with respect to the output).
    /// </summary>
    public void Backward(Variable<T> output, ReadOnlySpan<T> seed = default)
    {
        if (!RecordGradients) throw new InvalidOperationException("This tape was created with recordGradients: false; create a recording tape to call Backward.");
        if (output.Grad is null) throw new InvalidOperationException("The output does not depend on any variable that needs a gradient.");
        if (TangentMode) ThrowIfTangentRuleMissing();
        if (seed.IsEmpty)
        {
            if (output.Value.Length != 1)
                throw new ArgumentException($"Backward from a non-scalar {Shapes.Format(output.Shape)} needs a seed gradient of the same size.");
            output.Grad.Span[0] += T.One;
        }
        else
        {
            if (seed.Length != output.Value.Length) throw new ArgumentException($"The seed has {seed.Length} elements but the output has {output.Value.Length}.");
            System.Numerics.Tensors.TensorPrimitives.Add(output.Grad.Span, seed, output.Grad.Span);
        }
        for (int i = _backward.Count - 1; i >= 0; i--) _backward[i]();
    }
}
