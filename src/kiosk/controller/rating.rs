//! 好差评 on the result page: 评价 beside the way home opens the five levels over the result, the
//! content's reasons follow with 不满意 or below (or 跳过), then thanks. Never required and never in the way: leaving the
//! page, or the session's end, skips it. A rating is recorded unseen (the result stays on screen)
//! and once per service given.

use super::super::messages::ServiceAsk;
use super::super::screen::*;
use super::KioskController;
use crate::records::RatingLevel;
use std::time::Instant;

impl KioskController {
    /// Where the rating under the result on screen stands.
    pub(super) fn rating_step(&self) -> RatingStep {
        match (&self.page, &self.outcome) {
            (Page::Done, Some(shown)) if shown.seq.is_some() && shown.outcome.rated_service().is_some() => shown.rating,
            _ => RatingStep::None,
        }
    }

    /// 评价: the five levels over the result.
    pub fn open_rating(&mut self, now: Instant) {
        self.touched(now);
        if self.rating_step() == RatingStep::Offered {
            self.set_rating(RatingStep::Levels);
        }
    }

    /// 暂不评价: back to the result, the rating still offered.
    pub fn close_rating(&mut self, now: Instant) {
        self.touched(now);
        if self.rating_step() == RatingStep::Levels {
            self.set_rating(RatingStep::Offered);
        }
    }

    /// A level tapped: recorded at once, or for a low one the reasons offered first.
    pub fn rate(&mut self, level_id: &str, now: Instant) {
        self.touched(now);
        let (RatingStep::Levels, Some(level)) = (self.rating_step(), RatingLevel::from_id(level_id)) else { return };
        if level.asks_for_reason() && !self.content.rating_reasons.is_empty() {
            self.set_rating(RatingStep::Reasons(level));
        } else {
            self.record_rating(level, None);
        }
    }

    /// A reason tapped under a low level.
    pub fn rate_reason(&mut self, reason_id: &str, now: Instant) {
        self.touched(now);
        let RatingStep::Reasons(level) = self.rating_step() else { return };
        let Some(reason) = self.content.rating_reasons.iter().find(|r| r.id == reason_id) else { return };
        let reason = (reason.id.clone(), reason.name.pair());
        self.record_rating(level, Some(reason));
    }

    /// 跳过 under a low level: rated without a reason.
    pub fn rate_without_reason(&mut self, now: Instant) {
        self.touched(now);
        if let RatingStep::Reasons(level) = self.rating_step() {
            self.record_rating(level, None);
        }
    }

    fn set_rating(&mut self, step: RatingStep) {
        if let Some(shown) = self.outcome.as_mut() {
            shown.rating = step;
        }
    }

    fn record_rating(&mut self, level: RatingLevel, reason: Option<(String, (String, String))>) {
        let Some((seq, service)) =
            self.outcome.as_ref().and_then(|shown| Some((shown.seq?, shown.outcome.rated_service()?)))
        else {
            return;
        };
        self.set_rating(RatingStep::Thanked);
        self.request_unseen(ServiceAsk::Rate { seq, service, level, reason });
    }
}
