using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace FocusLab.Engine.Kernels.Tangents;

/// <summary>
/// Tangents of BatchNorm1d (<see cref="BatchNorm"/>) over [N, C]; per channel x̂ = (x − μ)·r, y = x̂⊙w + b.
/// Training (batch statistics, means over the N rows): a = mean(x̂⊙ẋ), ṙ = −r²·a,
/// x̂̇ = r·(ẋ − mean ẋ − x̂·a). Evaluation (running statistics, constants): x̂̇ = r·ẋ, ṙ = 0.
/// Both: ẏ = x̂̇⊙w + x̂⊙ẇ + ḃ. The backward dx = r·(ĝ − S₁/N − x̂·S₂/N) with ĝ = dy⊙w, S₁ = Σĝ,
/// S₂ = Σĝx̂ (training; evaluation dx = r·ĝ) differentiates to
///   (dx)˙ += ṙ·(ĝ − S₁/N − x̂S₂/N) + r·(ĝ̇ − Ṡ₁/N − x̂̇S₂/N − x̂Ṡ₂/N),   ĝ̇ = (dy)˙⊙w + dy⊙ẇ,
/// and (dw)˙ += Σ((dy)˙⊙x̂ + dy⊙x̂̇), (db)˙ += Σ(dy)˙. Column sums use <see cref="ColumnReduction"/>
/// (independent of the thread count). x̂̇ and ṙ are kept from the forward pass.
/// </summary>
public static class BatchNormTangent
{
    /// <summary>Writes x̂̇ [N, C], ṙ [C] and ẏ [N, C]; ẋ, ẇ, ḃ may be null (zero).</summary>
    public static void Forward<T>(T[] xhat, T[] rstd, T[] w, T[]? xDot, T[]? wDot, T[]? bDot, T[] xhatDot, T[] rDot, T[] yDot,
        int rows, int c, bool training) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (xDot is null)
        {
            Array.Clear(xhatDot, 0, rows * c);
            Array.Clear(rDot, 0, c);
        }
        else if (!training)
        {
            Array.Clear(rDot, 0, c);
            Parallelism.ForRows(rows, c, (r0, r1) =>
            {
                for (int r = r0; r < r1; r++) TensorPrimitives.Multiply(xDot.AsSpan(r * c, c), rstd.AsSpan(0, c), xhatDot.AsSpan(r * c, c));
            });
        }
        else
        {
            var sums = new T[2 * c]; // [Σẋ, Σx̂ẋ]
            ColumnReduction.Sum<T>(rows, 2 * c, (int r0, int r1, Span<T> part) =>
            {
                for (int r = r0; r < r1; r++)
                {
                    var xd = xDot.AsSpan(r * c, c);
                    TensorPrimitives.Add(part[..c], xd, part[..c]);
                    TensorPrimitives.MultiplyAdd(xhat.AsSpan(r * c, c), xd, part.Slice(c, c), part.Slice(c, c));
                }
            }, sums);
            T count = T.CreateTruncating(rows);
            var m = new T[c]; var a = new T[c];
            for (int j = 0; j < c; j++)
            {
                m[j] = sums[j] / count;
                a[j] = sums[c + j] / count;
                rDot[j] = -rstd[j] * rstd[j] * a[j];
            }
            Parallelism.ForRows(rows, c, (r0, r1) =>
            {
                for (int r = r0; r < r1; r++)
                {
                    int o = r * c;
                    for (int j = 0; j < c; j++) xhatDot[o + j] = rstd[j] * (xDot[o + j] - m[j] - xhat[o + j] * a[j]);
                }
            });
        }
        Parallelism.ForRows(rows, c, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                var yd = yDot.AsSpan(r * c, c);
                TensorPrimitives.Multiply(xhatDot.AsSpan(r * c, c), w.AsSpan(0, c), yd);
                if (wDot is not null) TensorPrimitives.MultiplyAdd(xhat.AsSpan(r * c, c), wDot.AsSpan(0, c), yd, yd);
                if (bDot is not null) TensorPrimitives.Add(yd, bDot.AsSpan(0, c), yd);
            }
        });
    }

    /// <summary>Accumulates the tangents (dx)˙, (dw)˙ and (db)˙ of batch norm's backward pass (training mode: batch statistics; otherwise running ones).</summary>
    public static void Backward<T>(T[] xhat, T[] xhatDot, T[] rstd, T[] rDot, T[] w, T[]? wDot, T[] dy, T[] dyDot,
        T[]? dxDot, T[]? dwDot, T[]? dbDot, int rows, int c, bool training) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // [A = Σdy, B = Σdy·x̂, C = Σ(dy)˙, D = Σ(dy)˙·x̂, E = Σdy·x̂̇]
        var sums = new T[5 * c];
        ColumnReduction.Sum<T>(rows, 5 * c, (int r0, int r1, Span<T> part) => Sums(xhat, xhatDot, dy, dyDot, part, c, r0, r1), sums);
        var sA = sums.AsSpan(0, c); var sB = sums.AsSpan(c, c); var sC = sums.AsSpan(2 * c, c);
        var sD = sums.AsSpan(3 * c, c); var sE = sums.AsSpan(4 * c, c);
        if (dwDot is not null)
        {
            TensorPrimitives.Add(dwDot.AsSpan(0, c), sD, dwDot.AsSpan(0, c));
            TensorPrimitives.Add(dwDot.AsSpan(0, c), sE, dwDot.AsSpan(0, c));
        }
        if (dbDot is not null) TensorPrimitives.Add(dbDot.AsSpan(0, c), sC, dbDot.AsSpan(0, c));
        if (dxDot is null) return;
        // (dx)˙ = cDy⊙dy + cDyDot⊙(dy)˙ + cXhat⊙x̂ + cXhatDot⊙x̂̇ + k, per channel.
        T count = T.CreateTruncating(rows);
        var cDy = new T[c]; var cDyDot = new T[c]; var cXhat = new T[c]; var cXhatDot = new T[c]; var k = new T[c];
        for (int j = 0; j < c; j++)
        {
            T r = rstd[j], rd = rDot[j], wj = w[j], wdj = wDot is null ? T.Zero : wDot[j];
            cDy[j] = rd * wj + r * wdj;
            cDyDot[j] = r * wj;
            if (!training) continue;
            T s1 = wj * sA[j], s2 = wj * sB[j];
            T s1Dot = wj * sC[j] + wdj * sA[j];
            T s2Dot = wj * sD[j] + wdj * sB[j] + wj * sE[j];
            cXhat[j] = -(rd * s2 + r * s2Dot) / count;
            cXhatDot[j] = -r * s2 / count;
            k[j] = -(rd * s1 + r * s1Dot) / count;
        }
        Parallelism.ForRows(rows, c, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                int o = r * c;
                for (int j = 0; j < c; j++)
                    dxDot[o + j] += cDy[j] * dy[o + j] + cDyDot[j] * dyDot[o + j] + cXhat[j] * xhat[o + j] + cXhatDot[j] * xhatDot[o + j] + k[j];
            }
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Sums<T>(T[] xhat, T[] xhatDot, T[] dy, T[] dyDot, Span<T> part, int c, int r0, int r1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var sA = part[..c]; var sB = part.Slice(c, c); var sC = part.Slice(2 * c, c);
        var sD = part.Slice(3 * c, c); var sE = part.Slice(4 * c, c);
        for (int r = r0; r < r1; r++)
        {
            var dyr = dy.AsSpan(r * c, c); var dydr = dyDot.AsSpan(r * c, c);
            var xh = xhat.AsSpan(r * c, c); var xhd = xhatDot.AsSpan(r * c, c);
            TensorPrimitives.Add(sA, dyr, sA);
            TensorPrimitives.MultiplyAdd(dyr, xh, sB, sB);
            TensorPrimitives.Add(sC, dydr, sC);
            TensorPrimitives.MultiplyAdd(dydr, xh, sD, sD);
            TensorPrimitives.MultiplyAdd(dyr, xhd, sE, sE);
        }
    }
}
