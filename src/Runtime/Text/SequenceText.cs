using System;
using System.Collections.Generic;
using System.Linq;

namespace Kvpr.Text
{
    /// <summary>
    /// One sequence's generated text as its tokens arrive: decodes them, finds stop strings, and hands out the
    /// text that is settled (no half-decoded character, nothing that may still turn into a stop string).
    /// </summary>
    internal sealed class SequenceText
    {
        private readonly TextTokenizer? _tokenizer;
        private readonly IReadOnlyList<string> _stop;
        private readonly HashSet<int> _eos;
        private readonly int _maxNewTokens;
        private readonly bool _decodeEachToken;
        private readonly List<int> _ids = new();
        private string _text = "";
        private int _decodedIds;
        private int _streamed;

        /// <param name="tokenizer">Null for ids only: the text stays empty.</param>
        /// <param name="streamed">Whether <see cref="TakeSettled"/> will be asked as tokens arrive; otherwise, without stop strings, the text is decoded once at the end.</param>
        public SequenceText(TextTokenizer? tokenizer, IReadOnlyList<string> stop, IReadOnlyCollection<int> eos, int maxNewTokens, bool streamed)
        {
            _tokenizer = tokenizer;
            _stop = stop.Where(s => s.Length > 0).ToArray();
            _eos = new HashSet<int>(eos);
            _maxNewTokens = maxNewTokens;
            _decodeEachToken = streamed || _stop.Count > 0;
        }

        /// <summary>Why it stopped; null while it runs.</summary>
        public FinishReason? Finish { get; private set; }

        /// <summary>Takes the next token; true when the sequence has finished with it.</summary>
        public bool Add(int token)
        {
            _ids.Add(token);
            if (_decodeEachToken)
                Decode();
            int stopAt = _stop.Select(stop => _text.IndexOf(stop, StringComparison.Ordinal)).Where(i => i >= 0).DefaultIfEmpty(-1).Min();
            if (stopAt >= 0)
            {
                _text = _text[..stopAt];
                Finish = FinishReason.Stop;
            }
            else if (_eos.Contains(token))
                Finish = FinishReason.Eos;
            else if (_ids.Count >= _maxNewTokens)
                Finish = FinishReason.Length;
            return Finish is not null;
        }

        /// <summary>The settled text not handed out before (all of what is left once finished).</summary>
        public string TakeSettled()
        {
            int end = Finish is null ? SettledLength() : _text.Length;
            if (end <= _streamed)
                return "";
            string delta = _text[_streamed..end];
            _streamed = end;
            return delta;
        }

        public TextCompletion ToCompletion(int index, int promptTokens)
        {
            if (Finish != FinishReason.Stop)
                Decode();
            return new(index, promptTokens, _ids.ToArray(), _text, Finish ?? FinishReason.Length);
        }

        /// <summary>The text of every id so far (a stop string's cut, once made, stays).</summary>
        private void Decode()
        {
            if (_tokenizer is null || _decodedIds == _ids.Count)
                return;
            _text = _tokenizer.Decode(_ids, skipSpecialTokens: true);
            _decodedIds = _ids.Count;
        }

        /// <summary>
        /// Text up to a trailing replacement character (the first bytes of a character whose rest is to come) or
        /// the longest tail that begins a stop string.
        /// </summary>
        private int SettledLength()
        {
            int end = _text.Length;
            while (end > 0 && _text[end - 1] == '\uFFFD')
                end--;
            int held = 0;
            foreach (string stop in _stop)
                for (int length = Math.Min(stop.Length - 1, end); length > held; length--)
                    if (string.CompareOrdinal(_text, end - length, stop, 0, length) == 0)
                    {
                        held = length;
                        break;
                    }
            end -= held;
            return end;
        }
    }
}
