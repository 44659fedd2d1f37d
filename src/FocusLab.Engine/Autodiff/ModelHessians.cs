using FocusLab.Engine.Models;
using FocusLab.Engine.Tensors;

namespace FocusLab.Engine.Autodiff;

/// <summary>
/// Hessian-vector products of a float32 model's training loss on a fixed batch: a float64 twin of
/// the model (same architecture, parameters copied) is differentiated so the finite differences of
/// <see cref="HessianVectorProduct"/> run in double precision. The vector order is the model's
/// parameter order (<c>model.Parameters</c>, each flattened row-major). BatchNorm uses the batch's
/// statistics (training mode) and leaves the running statistics alone.
///
/// <c>Exact*</c> return the exact forward-over-reverse product (<see cref="ExactHessianVectorProduct{T}"/>)
/// on the model itself, in its own precision (float32 for speed, float64 for reference checks).
/// </summary>
public static class ModelHessians
{
    /// <summary>The finite-difference Hessian of the MLP's cross-entropy on one fixed batch, on a float64 twin of <paramref name="model"/>.</summary>
    /// <param name="model">The trained float32 network (copied, not changed).</param>
    /// <param name="inputs">The batch's inputs [N, features].</param>
    /// <param name="labels">The batch's classes.</param>
    public static HessianVectorProduct ForMlp(Mlp<float> model, Tensor<float> inputs, int[] labels)
    {
        var twin = new Mlp<double>(model.Config, seed: 0);
        twin.CopyFrom(model);
        twin.Training = true;
        twin.UpdateRunningStatistics = false;
        var x = new Tensor<double>(inputs.Shape);
        for (int i = 0; i < x.Length; i++) x[i] = inputs[i];
        var tape = new Tape<double>();
        return new HessianVectorProduct(twin.Parameters, () =>
        {
            tape.Reset();
            var loss = twin.Loss(tape, x, labels);
            tape.Backward(loss);
            return loss.Value[0];
        });
    }

    /// <summary>For the GPT (dropout is switched off: the loss must be a deterministic function of θ).</summary>
    public static HessianVectorProduct ForGpt(Gpt<float> model, int[] tokens, int[] targets, int batch, int time)
    {
        var twin = new Gpt<double>(model.Config with { Dropout = 0 }, seed: 0);
        twin.CopyFrom(model);
        var tape = new Tape<double>();
        return new HessianVectorProduct(twin.Parameters, () =>
        {
            tape.Reset();
            var loss = twin.Loss(tape, tokens, targets, batch, time);
            tape.Backward(loss);
            return loss.Value[0];
        });
    }

    /// <summary>
    /// Exact H·v of the MLP's mean cross-entropy on a fixed batch, on the model itself. BatchNorm follows
    /// the model's mode (<c>Training</c>: batch statistics; otherwise running statistics); tangent passes
    /// never update the running statistics.
    /// </summary>
    public static ExactHessianVectorProduct<T> ExactForMlp<T>(Mlp<T> model, Tensor<T> inputs, int[] labels) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        => new(model.Parameters, tape => model.Loss(tape, inputs, labels));

    /// <summary>Exact H·v of the GPT's next-token loss on a fixed batch, on the model itself. Put the model
    /// in evaluation mode (or use dropout 0) so that the loss is a deterministic function of θ.</summary>
    public static ExactHessianVectorProduct<T> ExactForGpt<T>(Gpt<T> model, int[] tokens, int[] targets, int batch, int time) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        => new(model.Parameters, tape => model.Loss(tape, tokens, targets, batch, time));
}
