/// The CrowdFlower corpus a tweet of `tweets-sentiment` came from: six topics, usable as six
/// natural federated sites. The source CSV does not say; `TweetTopicRecovery` works it out.
package enum TweetTopic: String, CaseIterable, Sendable {
    case selfDrivingCars = "self-driving-cars"
    case airline
    case coachella
    case deflategate
    case apple
    case claritin

    /// Lower-case substrings that mark a tweet as being about this topic. Only used to place
    /// the two boundaries the file's layout leaves open (self-driving-cars | airline and
    /// deflategate | apple), so only those four topics need them.
    var keywords: [String] {
        switch self {
        case .selfDrivingCars:
            return [
                "driverless", "self-driving", "self driving", "selfdriving", "autonomous", "robot car", "google car",
            ]
        case .airline:
            return [
                "@united", "@usairways", "@americanair", "@southwestair", "@jetblue", "@virginamerica", "@delta",
                "flight", "airline",
            ]
        case .deflategate:
            return ["deflate", "patriots", "brady", "belichick", "football", "nfl", "goodell"]
        case .apple:
            return ["apple", "aapl", "iphone", "ipad", "itunes", "macbook", "imac"]
        case .coachella, .claritin:
            return []
        }
    }

    /// Whether `lowercased` (a tweet's text, lower-cased) holds one of the keywords.
    func mentioned(in lowercased: String) -> Bool {
        self.keywords.contains { lowercased.contains($0) }
    }
}
