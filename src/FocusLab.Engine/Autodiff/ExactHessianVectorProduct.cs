using System.Numerics;
using FocusLab.Engine.Nn;
using FocusLab.Engine.Tensors;

namespace FocusLab.Engine.Autodiff;

/// <summary>
/// Exact Hessian-vector products H·v of a scalar loss by forward-over-reverse differentiation
/// (Pearlmutter 1994, "Fast exact multiplication by the Hessian"): one tape pass in tangent mode
/// carries ẋ = (dx/dθ)·v forward with every value and, backward, the tangent of every adjoint; the
/// parameters' gradient tangents are then (d∇L/dθ)·v = H·v. Cost ≈ 3 gradients (each GEMM of the
/// forward and backward pass gains two tangent GEMMs), no step size, and rounding only of the working
/// precision: use float32 for fast diagnostics and float64 for reference checks.
///
/// The loss closure runs the model on the tape it is given (e.g. <c>tape => model.Loss(tape, x, y)</c>);
/// the parameters must enter the graph through <see cref="ParameterTensor{T}.On"/> (tape leaves of their
/// value tensors). Every operation in <see cref="Ops"/> has a tangent rule; an operation without one
/// throws <see cref="NotSupportedException"/> naming it. BatchNorm never updates running statistics
/// in a tangent pass. The loss must be a deterministic function of θ for repeated products to agree
/// (e.g. dropout off, or a fixed mask).
/// </summary>
public sealed class ExactHessianVectorProduct<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly IReadOnlyList<ParameterTensor<T>> _parameters;
    private readonly Func<Tape<T>, Variable<T>> _loss;
    private readonly Tensor<T>[] _direction, _product;
    private readonly T[] _savedGradients;

    /// <param name="parameters">The parameters θ; the vector order is this list, each tensor row-major.</param>
    /// <param name="loss">Builds the scalar loss on the given tape at the current θ (no Backward call).</param>
    public ExactHessianVectorProduct(IReadOnlyList<ParameterTensor<T>> parameters, Func<Tape<T>, Variable<T>> loss)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(loss);
        if (parameters.Count == 0) throw new ArgumentException("Give at least one parameter tensor.", nameof(parameters));
        if (parameters.Distinct().Count() != parameters.Count) throw new ArgumentException("A parameter tensor appears twice in the list.", nameof(parameters));
        _parameters = parameters;
        _loss = loss;
        Tape = new Tape<T> { TangentMode = true };
        _direction = new Tensor<T>[parameters.Count];
        _product = new Tensor<T>[parameters.Count];
        for (int i = 0; i < parameters.Count; i++)
        {
            _direction[i] = new Tensor<T>(parameters[i].Shape);
            _product[i] = new Tensor<T>(parameters[i].Shape);
            Tape.SetLeafTangent(parameters[i].Value, _direction[i], _product[i]);
        }
        Dimension = parameters.Sum(p => p.Length);
        _savedGradients = new T[Dimension];
    }

    /// <summary>d, the number of parameters: the length of v and of Hv.</summary>
    public int Dimension { get; }

    /// <summary>The tangent-mode tape the products run on (e.g. to set a <see cref="TapeProfile"/>).</summary>
    public Tape<T> Tape { get; }

    /// <summary>
    /// Writes H·v into <paramref name="hv"/> and, when <paramref name="gradient"/> is not empty, ∇L (a
    /// by-product of the same pass); returns L. θ and the parameters' gradient buffers are unchanged.
    /// </summary>
    public T Multiply(ReadOnlySpan<T> v, Span<T> hv, Span<T> gradient = default)
    {
        if (v.Length != Dimension || hv.Length != Dimension)
            throw new ArgumentException($"v and hv must have the parameter count {Dimension} (got {v.Length} and {hv.Length}).");
        if (!gradient.IsEmpty && gradient.Length != Dimension)
            throw new ArgumentException($"The gradient buffer must have the parameter count {Dimension} (got {gradient.Length}).", nameof(gradient));
        int o = 0;
        for (int i = 0; i < _parameters.Count; i++)
        {
            var p = _parameters[i];
            v.Slice(o, p.Length).CopyTo(_direction[i].Span);
            _product[i].Clear();
            p.Grad.Span.CopyTo(_savedGradients.AsSpan(o, p.Length));
            p.Grad.Clear();
            o += p.Length;
        }
        try
        {
            Tape.Reset();
            var loss = _loss(Tape);
            if (loss.Value.Length != 1) throw new InvalidOperationException($"The loss closure must return a scalar, got {Shapes.Format(loss.Shape)}.");
            if (loss.GradTangent is null)
                throw new InvalidOperationException("The loss does not depend on the given parameters: build it from parameter.On(tape) on the tape passed to the closure.");
            Tape.Backward(loss);
            o = 0;
            for (int i = 0; i < _parameters.Count; i++)
            {
                int n = _parameters[i].Length;
                _product[i].Span.CopyTo(hv.Slice(o, n));
                if (!gradient.IsEmpty) _parameters[i].Grad.Span.CopyTo(gradient.Slice(o, n));
                o += n;
            }
            return loss.Value[0];
        }
        finally
        {
            Tape.Reset();
            o = 0;
            foreach (var p in _parameters) { _savedGradients.AsSpan(o, p.Length).CopyTo(p.Grad.Span); o += p.Length; }
        }
    }

    /// <summary>H·v as a new array.</summary>
    public T[] Multiply(ReadOnlySpan<T> v)
    {
        var r = new T[Dimension];
        Multiply(v, r);
        return r;
    }
}
