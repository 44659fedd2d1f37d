namespace FocusLab.Lab.Diagnostics;

/// <summary>
/// Adapts a stateful float32 model (<see cref="IModelLoss"/>) to <see cref="IObjective"/> and, when the
/// model provides them, <see cref="IHessianOperator"/>. The parameters found at construction are the
/// checkpoint: every call writes the probe point into the model, evaluates, and writes the checkpoint's
/// exact bits back, so the model is never left moved (also on exceptions). Without exact HVPs, use
/// <see cref="FiniteDifferenceHessian"/> over this objective.
/// </summary>
internal sealed class ModelObjective : IObjective, IHessianOperator
{
    private readonly IModelLoss _model;
    private readonly float[] _checkpoint, _probe, _grad, _v, _hv;

    public ModelObjective(IModelLoss model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        int d = model.Layout.Count;
        _checkpoint = new float[d];
        model.ReadParameters(_checkpoint);
        _probe = new float[d];
        _grad = new float[d];
        _v = new float[d];
        _hv = new float[d];
    }

    public int Dimension => _checkpoint.Length;

    public TensorLayout Layout => _model.Layout;

    /// <summary>True when the model has exact HVPs (otherwise <see cref="HessianVectorProduct"/> throws).</summary>
    public bool HasExactHessian => _model is IModelHessian;

    /// <summary>The checkpoint's parameters in double precision (the natural x for diagnostics).</summary>
    public double[] CheckpointPoint()
    {
        var x = new double[Dimension];
        for (int i = 0; i < x.Length; i++) x[i] = _checkpoint[i];
        return x;
    }

    public double Loss(ReadOnlySpan<double> x)
    {
        Load(x);
        try { return _model.Loss(); }
        finally { _model.WriteParameters(_checkpoint); }
    }

    public double Gradient(ReadOnlySpan<double> x, Span<double> gradient)
    {
        Check.Length(Dimension, gradient.Length, "Gradient buffer", nameof(gradient));
        Load(x);
        try
        {
            double loss = _model.LossAndGradient(_grad);
            for (int i = 0; i < gradient.Length; i++) gradient[i] = _grad[i];
            return loss;
        }
        finally { _model.WriteParameters(_checkpoint); }
    }

    public void HessianVectorProduct(ReadOnlySpan<double> x, ReadOnlySpan<double> v, Span<double> hv)
    {
        if (_model is not IModelHessian h)
            throw new InvalidOperationException("This model has no exact Hessian-vector products (it does not implement IModelHessian); wrap the objective in FiniteDifferenceHessian instead.");
        Check.Length(Dimension, v.Length, "Vector v", nameof(v));
        Check.Length(Dimension, hv.Length, "Output hv", nameof(hv));
        for (int i = 0; i < v.Length; i++) _v[i] = (float)v[i];
        Load(x);
        try
        {
            h.HessianVectorProduct(_v, _hv);
            for (int i = 0; i < hv.Length; i++) hv[i] = _hv[i];
        }
        finally { _model.WriteParameters(_checkpoint); }
    }

    private void Load(ReadOnlySpan<double> x)
    {
        Check.Length(Dimension, x.Length, "Point x", nameof(x));
        for (int i = 0; i < x.Length; i++) _probe[i] = (float)x[i];
        _model.WriteParameters(_probe);
    }
}
