"""`/agreement`: how far the automatic scores agree with the reviewers, and reviewers with each
other, per criterion (the figures of `trainer agreement`)."""
