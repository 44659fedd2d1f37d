using FocusLab.Lab.Rotations;

namespace FocusLab.Lab.Tests.Rotations;

/// <summary>The orthogonality checks every rotation must pass: ‖Rx‖ = ‖x‖, RᵀRx = x and RRᵀx = x.</summary>
internal static class RotationAssert
{
    public static double Norm(double[] x) => Math.Sqrt(x.Sum(v => v * v));

    /// <summary>Asserts the three identities on <paramref name="x"/>: the norm to <paramref name="tolerance"/>·‖x‖, each coordinate to <paramref name="tolerance"/>.</summary>
    public static void IsOrthogonalOn(IRotation r, double[] x, double tolerance)
    {
        int d = x.Length;
        var y = new double[d];
        var back = new double[d];
        r.Apply(x, y);
        Assert.Equal(Norm(x), Norm(y), tolerance * Norm(x));
        r.ApplyTranspose(y, back);
        for (int i = 0; i < d; i++) Assert.Equal(x[i], back[i], tolerance);
        r.ApplyTranspose(x, y);
        r.Apply(y, back);
        for (int i = 0; i < d; i++) Assert.Equal(x[i], back[i], tolerance);
    }
}
