using System;
using System.Collections.Generic;
using System.Linq;
using Kvpr.Json;

namespace Kvpr.Text
{
    /// <summary>
    /// A SentencePiece-style BPE tokenizer.json (Llama 2, Mistral) written as the SentencePiece model the library
    /// loads: each token a piece, scored so that the merge ranked first in the file is preferred (SentencePiece
    /// merges the adjacent pair whose joined piece scores highest), byte pieces marked for byte fallback.
    /// </summary>
    internal static class SentencePieceBpeModel
    {
        /// <summary>SentencePiece's stand-in for a space.</summary>
        public const string Space = "\u2581";

        // sentencepiece_model.proto: ModelProto, TrainerSpec, NormalizerSpec and SentencePiece.Type.
        private const int PiecesField = 1, TrainerSpecField = 2, NormalizerSpecField = 3;
        private const int PieceField = 1, ScoreField = 2, TypeField = 3;
        private const int ModelTypeField = 3, ByteFallbackField = 35, UnkIdField = 40, BosIdField = 41, EosIdField = 42, PadIdField = 43;
        private const int UnkPieceField = 45, BosPieceField = 46, EosPieceField = 47;
        private const int NameField = 1, AddDummyPrefixField = 3, RemoveExtraWhitespacesField = 4, EscapeWhitespacesField = 5;
        private const int BpeModelType = 2;
        private const int Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Byte = 6;

        public static byte[] Write(JsonNode vocabularyNode, IReadOnlyDictionary<string, int> vocabulary, IReadOnlyList<(string Left, string Right)> merges,
            IReadOnlyList<AddedToken> addedTokens, string? unknownToken, bool byteFallback, bool addDummyPrefix)
        {
            var pieces = Pieces(vocabularyNode, vocabulary, addedTokens);
            var rank = new Dictionary<string, int>();
            for (int i = merges.Count - 1; i >= 0; i--)
                rank[merges[i].Left + merges[i].Right] = i;
            var added = addedTokens.ToDictionary(token => token.Id);

            var model = new ProtobufWriter();
            for (int id = 0; id < pieces.Length; id++)
            {
                string piece = pieces[id];
                int type = piece == unknownToken ? Unknown
                    : added.TryGetValue(id, out var token) ? (token.Special ? Control : UserDefined)
                    : byteFallback && IsBytePiece(piece) ? Byte
                    : Normal;
                float score = rank.TryGetValue(piece, out int r) ? -r : -(merges.Count + id);
                model.Message(PiecesField, new ProtobufWriter().String(PieceField, piece).Float(ScoreField, score).Varint(TypeField, type));
            }

            int IdOf(string? piece) => piece is not null && vocabulary.TryGetValue(piece, out int id) ? id : -1;
            var trainer = new ProtobufWriter().Varint(ModelTypeField, BpeModelType).Bool(ByteFallbackField, byteFallback)
                .Varint(UnkIdField, IdOf(unknownToken)).Varint(BosIdField, IdOf("<s>")).Varint(EosIdField, IdOf("</s>")).Varint(PadIdField, -1)
                .String(UnkPieceField, unknownToken ?? "<unk>").String(BosPieceField, "<s>").String(EosPieceField, "</s>");
            // Hugging Face keeps whitespace as it is: no collapsing of runs, which SentencePiece does by default.
            var normalizer = new ProtobufWriter().String(NameField, "identity").Bool(AddDummyPrefixField, addDummyPrefix)
                .Bool(RemoveExtraWhitespacesField, false).Bool(EscapeWhitespacesField, true);
            return model.Message(TrainerSpecField, trainer).Message(NormalizerSpecField, normalizer).ToArray();
        }

        /// <summary>Every id from 0 up, each with its token: a SentencePiece model has no gaps.</summary>
        private static string[] Pieces(JsonNode vocabularyNode, IReadOnlyDictionary<string, int> vocabulary, IReadOnlyList<AddedToken> addedTokens)
        {
            var byId = new Dictionary<int, string>();
            foreach (var (token, id) in vocabulary.Concat(addedTokens.Select(t => new KeyValuePair<string, int>(t.Content, t.Id))))
                byId.TryAdd(id, token);
            var pieces = new string[byId.Count == 0 ? 0 : byId.Keys.Max() + 1];
            for (int id = 0; id < pieces.Length; id++)
                pieces[id] = byId.TryGetValue(id, out var token) ? token
                    : throw vocabularyNode.Invalid($"has no token with id {id} below the largest id {pieces.Length - 1}; a SentencePiece-style vocabulary must number its tokens without gaps");
            return pieces;
        }

        private static bool IsBytePiece(string piece) => piece.Length == 6 && piece.StartsWith("<0x") && piece[5] == '>'
            && Uri.IsHexDigit(piece[3]) && Uri.IsHexDigit(piece[4]);
    }
}
