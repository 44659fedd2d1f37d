using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using FocusLab.Engine.Kernels.Gemm;
using FocusLab.Engine.Tensors;

namespace FocusLab.Engine.Autodiff;

public static partial class Ops
{
    /// <summary>
    /// BatchNorm1d → Linear (→ ReLU when <paramref name="relu"/>) as one operation: the same function and
    /// gradients as <c>Relu(Linear(BatchNorm1d(x)))</c>, with the batch-norm affine folded into the
    /// product (<see cref="Kernels.BatchNormLinear"/> gives the identities). It stores no batch-norm
    /// output, and when <paramref name="x"/> needs no gradient (data) its backward skips the [rows, in]
    /// input-gradient product and the batch-norm backward pass. A tangent pass (Hessian-vector products)
    /// runs the unfused composition, whose operations have tangent rules.
    /// </summary>
    public static Variable<T> BatchNormLinear<T>(this Tape<T> tape, Variable<T> x, Variable<T> gamma, Variable<T> beta,
        Tensor<T>? runningMean, Tensor<T>? runningVar, bool training, double momentum, double eps,
        Variable<T> weight, Variable<T>? bias, bool relu) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Shape.Length != 2) throw new ArgumentException($"BatchNormLinear expects [N, C] inputs, got {Shapes.Format(x.Shape)}.");
        if (tape.TangentMode)
        {
            var y = tape.Linear(tape.BatchNorm1d(x, gamma, beta, runningMean, runningVar, training, momentum, eps), weight, bias);
            return relu ? tape.Relu(y) : y;
        }
        int rows = x.Shape[0], inF = x.Shape[1];
        if (gamma.Value.Length != inF || beta.Value.Length != inF) throw new ArgumentException($"BatchNorm1d parameters must have {inF} elements.");
        if (!training && (runningMean is null || runningVar is null)) throw new InvalidOperationException("BatchNorm1d in evaluation mode needs running statistics.");
        if (weight.Shape.Length != 2 || weight.Shape[1] != inF)
            throw new ArgumentException($"Linear weight must be [out, {inF}] for input {Shapes.Format(x.Shape)}, got {Shapes.Format(weight.Shape)}.");
        int outF = weight.Shape[0];
        if (bias is not null && bias.Value.Length != outF) throw new ArgumentException($"Linear bias must have {outF} elements, got {Shapes.Format(bias.Shape)}.");

        bool needsGrad = x.RequiresGrad || gamma.RequiresGrad || beta.RequiresGrad || weight.RequiresGrad || (bias?.RequiresGrad ?? false);
        var z = tape.Output([rows, outF], needsGrad);
        var xhat = tape.Buffer(x.Shape, clear: false);
        var rstd = tape.Buffer([inF], clear: false);
        var foldedW = tape.Buffer([outF, inF], clear: false);
        var foldedB = tape.Buffer([outF], clear: false);
        if (training)
            Kernels.BatchNorm.ForwardTrain(x.Value.Data, null, null, null, xhat.Data, rstd.Data, runningMean?.Data, runningVar?.Data,
                rows, inF, T.CreateTruncating(eps), T.CreateTruncating(momentum));
        else
            Kernels.BatchNorm.ForwardEval(x.Value.Data, null, null, null, xhat.Data, rstd.Data, runningMean!.Data, runningVar!.Data, rows, inF, T.CreateTruncating(eps));
        Kernels.BatchNormLinear.FoldParameters(weight.Value.Data, gamma.Value.Data, beta.Value.Data, bias?.Value.Data, foldedW.Data, foldedB.Data, outF, inF);
        Gemm.Multiply<T>(false, true, rows, outF, inF, xhat.Span, foldedW.Span, z.Value.Span);
        Kernels.BatchNormLinear.AddBiasActivate(z.Value.Data, foldedB.Data, rows, outF, relu);
        if (z.Grad is null) return z;

        // Backward scratch, taken now so the arena hands out the same buffers every step.
        var dz = relu ? tape.Buffer([rows, outF], clear: false) : z.Grad;
        var g = tape.Buffer([outF, inF], clear: false);
        var ghat = x.Grad is null ? null : tape.Buffer(x.Shape, clear: false);
        // [Σ dz (outF) | dγ (in) | dβ (in) | a, m, k of dx (3·in)]
        var small = tape.Buffer([outF + 5 * inF], clear: false);
        tape.Record(() =>
        {
            var columnSum = small.Span[..outF];
            columnSum.Clear();
            Kernels.BatchNormLinear.MaskAndSumColumns(z.Value.Data, z.Grad.Data, dz.Data, relu, rows, outF, columnSum);
            var gTask = new GemmTask<T>(true, false, outF, inF, rows, dz.Data, xhat.Data, g.Data, Accumulate: false);
            if (ghat is null) gTask.Run();
            else Gemm.MultiplyConcurrently(gTask, new GemmTask<T>(false, false, rows, inF, outF, dz.Data, foldedW.Data, ghat.Data, Accumulate: false));
            var gammaGrad = small.Span.Slice(outF, inF);
            var betaGrad = small.Span.Slice(outF + inF, inF);
            Kernels.BatchNormLinear.ParameterGradients(g.Data, small.Data, weight.Value.Data, gamma.Value.Data, beta.Value.Data,
                weight.Grad?.Data, bias?.Grad?.Data, gammaGrad, betaGrad, outF, inF);
            if (ghat is not null)
            {
                int offset = outF + 2 * inF;
                // ĝ = dy⊙γ already, and this block's dγ, dβ are the sums Σ dy⊙x̂, Σ dy.
                Kernels.BatchNorm.InputGradientCoefficients(rstd.Data, gamma.Value.Data, gammaGrad, betaGrad,
                    gradientIncludesWeight: true, small.Data, offset, rows, inF, training);
                Kernels.BatchNorm.AddInputGradient(xhat.Data, ghat.Data, x.Grad!.Data, small.Data, offset, rows, inF);
            }
            if (gamma.Grad is { } dGamma) TensorPrimitives.Add(dGamma.Span, gammaGrad, dGamma.Span);
            if (beta.Grad is { } dBeta) TensorPrimitives.Add(dBeta.Span, betaGrad, dBeta.Span);
        });
        return z;
    }
}
