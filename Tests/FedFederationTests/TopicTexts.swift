import Foundation

/// Short template sentences about three topics, generated deterministically: a small text
/// classification task on which a pretrained sentence encoder should do well after tuning.
enum TopicTexts {
    static let classes = ["food", "sport", "weather"]

    static let words: [[String]] = [
        ["pasta", "soup", "bread", "curry", "salad", "cake", "noodles", "cheese", "pizza", "rice", "stew", "pie"],
        [
            "football", "tennis", "the marathon", "basketball", "cricket", "the match", "rugby", "golf", "swimming",
            "hockey",
            "the league", "cycling",
        ],
        [
            "the rain", "the snow", "the wind", "the fog", "the storm", "the sunshine", "the frost", "the heat",
            "the clouds",
            "the thunder", "the drizzle", "the hail",
        ],
    ]

    static let templates = [
        "I can't stop thinking about %@ today.", "Everyone was talking about %@ at work.",
        "%@ was the highlight of my weekend.",
        "My brother wrote a long post about %@.", "We watched a documentary on %@ last night.",
        "Honestly, %@ surprised me.",
    ]

    /// `count` labelled texts, cycling through the classes; `offset` picks other combinations.
    static func make(count: Int, offset: Int) -> (texts: [String], labels: [Int]) {
        var texts: [String] = []
        var labels: [Int] = []
        for i in 0..<count {
            let label = i % 3
            let n = i / 3 + offset
            let word = self.words[label][(n * 5) % self.words[label].count]
            let template = self.templates[(n * 7 + label) % self.templates.count]
            let sentence = template.replacingOccurrences(of: "%@", with: word)
            texts.append(sentence.prefix(1).uppercased() + sentence.dropFirst())
            labels.append(label)
        }
        return (texts, labels)
    }
}
