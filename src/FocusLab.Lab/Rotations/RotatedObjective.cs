using FocusLab.Lab.Diagnostics;

namespace FocusLab.Lab.Rotations;

/// <summary>
/// The rotated loss L_R(x) = L(Rx) of Xie et al.: gradient Rᵀ∇L(Rx), Hessian RᵀH(Rx)R. An optimizer trained
/// on it keeps its state in the rotated coordinates x while the model sees Rx. Rotation-equivariant
/// optimizers (sgd) follow the same path (x_t = Rᵀy_t); coordinate-wise ones (adam, sign methods) do not.
/// HVPs are available when the inner objective is also an <see cref="IHessianOperator"/>. Not thread-safe.
/// </summary>
internal sealed class RotatedObjective : IObjective, IHessianOperator
{
    private readonly IObjective _inner;
    private readonly IRotation _rotation;
    private readonly double[] _rx, _buf, _rv;

    public RotatedObjective(IObjective inner, IRotation rotation)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(rotation);
        if (inner.Dimension != rotation.Dimension)
            throw new ArgumentException($"The rotation has dimension {rotation.Dimension} but the objective has {inner.Dimension}; they must match.", nameof(rotation));
        _inner = inner;
        _rotation = rotation;
        _rx = new double[inner.Dimension];
        _buf = new double[inner.Dimension];
        _rv = new double[inner.Dimension];
    }

    public int Dimension => _inner.Dimension;

    public double Loss(ReadOnlySpan<double> x)
    {
        _rotation.Apply(x, _rx);
        return _inner.Loss(_rx);
    }

    public double Gradient(ReadOnlySpan<double> x, Span<double> gradient)
    {
        _rotation.Apply(x, _rx);
        double loss = _inner.Gradient(_rx, _buf);
        _rotation.ApplyTranspose(_buf, gradient);
        return loss;
    }

    public void HessianVectorProduct(ReadOnlySpan<double> x, ReadOnlySpan<double> v, Span<double> hv)
    {
        if (_inner is not IHessianOperator h)
            throw new InvalidOperationException("The inner objective has no Hessian-vector products; wrap the rotated objective in FiniteDifferenceHessian instead.");
        _rotation.Apply(x, _rx);
        _rotation.Apply(v, _rv);
        h.HessianVectorProduct(_rx, _rv, _buf);
        _rotation.ApplyTranspose(_buf, hv);
    }
}
