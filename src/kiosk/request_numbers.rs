//! The one counter that numbers the kiosk's requests, recorded and online alike: an answer
//! carries its request's number, so it is only ever shown to the session that asked.

/// Numbers from 1 up; 0 is never given, so a result shown without a request matches no answer.
#[derive(Debug, Default)]
pub struct RequestNumbers {
    last: u64,
}

impl RequestNumbers {
    pub fn next(&mut self) -> u64 {
        self.last += 1;
        self.last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_start_at_one_and_never_repeat() {
        let mut numbers = RequestNumbers::default();
        assert_eq!((numbers.next(), numbers.next(), numbers.next()), (1, 2, 3));
    }
}
