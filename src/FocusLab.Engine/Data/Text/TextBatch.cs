namespace FocusLab.Engine.Data.Text;

/// <summary>
/// One batch of language-model data: <see cref="Rows"/> sequences of <see cref="BlockSize"/> tokens,
/// row-major; <c>Targets[i]</c> is the token that follows <c>Inputs[i]</c> in the stream.
/// </summary>
public sealed record TextBatch(int Rows, int BlockSize, int[] Inputs, int[] Targets);
