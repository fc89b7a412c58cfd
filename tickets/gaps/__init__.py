"""What resolved tickets teach: tickets no article answered are mined into articles to write
(`mining`, grouped by `meaning` or by words), which editors work in Wagtail admin
(`editor_views`, the dashboard `panels`); publishing the article closes the request
(`signals`). Product signals group bug reports and feature requests the same way, for the
product team.
"""
