using FocusLab.Engine.Autodiff;
using FocusLab.Engine.Nn;
using FocusLab.Lab.Diagnostics;

namespace FocusLab.Lab.ModelLoss;

/// <summary>
/// An engine model bound to one fixed batch, seen by the diagnostics as <see cref="IModelHessian"/>.
/// Loss and gradient run on the float32 model itself (the precision it trains in). Hessian-vector
/// products follow <see cref="HessianMethod"/>: by default exact forward-over-reverse on the float32
/// model (<see cref="ExactHessianVectorProduct{T}"/>, ≈3 gradients); or the same on a float64 twin that
/// receives the float32 parameters (exactly representable) before every product; or the engine's
/// Richardson central differences of float64 gradients on that twin (<see cref="Engine.Autodiff.HessianVectorProduct"/>),
/// the independent reference. The flat order is <c>model.Parameters</c>, each tensor row-major.
/// Measurements never change anything but what <see cref="WriteParameters"/> writes: the mode switches
/// a subclass makes for a measurement are undone afterwards (see <see cref="Enter"/>).
/// </summary>
public abstract class EngineModelLoss : IModelHessian
{
    private readonly Tape<float> _tape = new();
    private readonly Tape<double> _twinTape = new();
    private Engine.Autodiff.HessianVectorProduct? _hvp;
    private ExactHessianVectorProduct<float>? _exact32;
    private ExactHessianVectorProduct<double>? _exact64;
    private double[] _v = [], _hv = [];

    protected EngineModelLoss(Module<float> model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        Layout = new TensorLayout(model.Parameters.Select(p => (p.Name, (int[])p.Shape.Clone())));
    }

    /// <summary>The float32 model whose parameters this adapter reads and writes.</summary>
    public Module<float> Model { get; }

    public TensorLayout Layout { get; }

    /// <summary>How Hessian-vector products are computed (default: exact, float32).</summary>
    public HessianMethod HessianMethod { get; set; } = HessianMethod.ExactFloat32;

    public void ReadParameters(Span<float> destination)
    {
        if (destination.Length != Layout.Count) throw new ArgumentException($"The destination holds {destination.Length} values but the model has {Layout.Count} parameters.", nameof(destination));
        Model.GatherValues(destination);
    }

    public void WriteParameters(ReadOnlySpan<float> source)
    {
        if (source.Length != Layout.Count) throw new ArgumentException($"The source holds {source.Length} values but the model has {Layout.Count} parameters.", nameof(source));
        Model.ScatterValues(source);
    }

    public double Loss()
    {
        var restore = Enter();
        try
        {
            _tape.Reset();
            return double.CreateTruncating(Loss(_tape).Value[0]);
        }
        finally { restore(); }
    }

    /// <summary>The flat gradient on the fixed batch. The model's own gradient buffers are used as scratch and left zeroed.</summary>
    public double LossAndGradient(Span<float> gradient)
    {
        if (gradient.Length != Layout.Count) throw new ArgumentException($"The gradient buffer holds {gradient.Length} values but the model has {Layout.Count} parameters.", nameof(gradient));
        var restore = Enter();
        try
        {
            Model.ZeroGrad();
            _tape.Reset();
            var loss = Loss(_tape);
            _tape.Backward(loss);
            Model.GatherGradients(gradient);
            return loss.Value[0];
        }
        finally
        {
            Model.ZeroGrad();
            restore();
        }
    }

    /// <summary>H·v at the current parameters by <see cref="HessianMethod"/>. The model's gradient buffers are left as they were.</summary>
    public void HessianVectorProduct(ReadOnlySpan<float> v, Span<float> hv)
    {
        int d = Layout.Count;
        if (v.Length != d || hv.Length != d) throw new ArgumentException($"v and hv must hold the parameter count {d} (got {v.Length} and {hv.Length}).");
        if (HessianMethod == HessianMethod.ExactFloat32)
        {
            _exact32 ??= new ExactHessianVectorProduct<float>(Model.Parameters, tape => Loss(tape));
            var restore = Enter();
            try { _exact32.Multiply(v, hv); }
            finally { restore(); }
            return;
        }
        var twin = Twin;
        twin.CopyFrom(Model);
        if (_v.Length != d) { _v = new double[d]; _hv = new double[d]; }
        for (int i = 0; i < d; i++) _v[i] = v[i];
        if (HessianMethod == HessianMethod.ExactFloat64)
        {
            _exact64 ??= new ExactHessianVectorProduct<double>(twin.Parameters, tape => Loss(tape));
            _exact64.Multiply(_v, _hv);
        }
        else
        {
            _hvp ??= new Engine.Autodiff.HessianVectorProduct(twin.Parameters, () =>
            {
                _twinTape.Reset();
                var loss = Loss(_twinTape);
                _twinTape.Backward(loss);
                return loss.Value[0];
            });
            _hvp.Multiply(_v, _hv);
        }
        for (int i = 0; i < d; i++) hv[i] = (float)_hv[i];
    }

    /// <summary>Double-precision loss and flat gradient of the twin at the current float32 parameters (reference for tests and HVP checks).</summary>
    public double LossAndGradientDouble(Span<double> gradient)
    {
        var twin = Twin;
        twin.CopyFrom(Model);
        foreach (var p in twin.Parameters) p.Grad.Clear();
        _twinTape.Reset();
        var loss = Loss(_twinTape);
        _twinTape.Backward(loss);
        twin.GatherGradients(gradient);
        return loss.Value[0];
    }

    /// <summary>The float64 copy of the architecture used for Hessian products (created once, configured for deterministic measurement).</summary>
    protected abstract Module<double> Twin { get; }

    /// <summary>The batch loss of the float32 model on the tape.</summary>
    protected abstract Variable<float> Loss(Tape<float> tape);

    /// <summary>The batch loss of the float64 twin on the tape (same batch, same mode).</summary>
    protected abstract Variable<double> Loss(Tape<double> tape);

    /// <summary>Puts the float32 model into measurement mode and returns the action that restores its previous mode.</summary>
    protected virtual Action Enter() => static () => { };
}
