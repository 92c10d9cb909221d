/**
 * A small Connect catalog (apps and actions in the wire shape, modelled on Pipedream's public
 * registry, with deliberately confusable neighbours: four chat apps that "send messages", three
 * mail apps, three issue trackers, four task managers…) and a few app-ranking queries.
 *
 * Used by test/e2e/search.stdio.test.ts for search *behaviour* (ordering, app ranking, paging,
 * caching). Its labelled queries were dropped: the synonym table had been tuned on them, so they
 * measured nothing held out. Quality is measured on bench/data (see bench/search-eval.mjs).
 */

/** [slug, name, description, categories, featured_weight] */
const APP_ROWS = [
  ["slack", "Slack", "Slack is a channel-based messaging platform.", ["Communication"], 4975],
  ["discord", "Discord", "Use this app to interact with the Discord API using a bot in your account.", ["Communication"], 4000],
  ["microsoft_teams", "Microsoft Teams", "Microsoft Teams has communities, events, chats, channels, meetings, storage, tasks, and calendars in one place.", ["Communication"], 3500],
  ["telegram_bot_api", "Telegram Bot", "Telegram, but as a bot.", ["Communication"], 3000],
  ["gmail", "Gmail", "Private and secure email by Google at no cost, for business and consumer accounts.", ["Communication", "Productivity"], 4900],
  ["microsoft_outlook", "Microsoft Outlook", "Outlook lets you bring all your email accounts and calendars in one convenient spot.", ["Communication"], 3800],
  ["sendgrid", "SendGrid", "Send marketing and transactional email through the Twilio SendGrid platform.", ["Marketing"], 2500],
  ["twilio", "Twilio", "Twilio is a cloud communications platform for SMS, voice and messaging applications.", ["Communication"], 3200],
  ["google_sheets", "Google Sheets", "Use Google Sheets to create and edit online spreadsheets.", ["Productivity"], 4950],
  ["airtable_oauth", "Airtable", "Airtable is a low-code platform to build next-gen apps.", ["Productivity", "Databases"], 4200],
  ["microsoft_excel", "Microsoft Excel", "Microsoft Excel is a spreadsheet editor.", ["Productivity"], 2600],
  ["github", "GitHub", "Where the world builds software.", ["Developer Tools"], 4800],
  ["gitlab", "GitLab", "GitLab is the most comprehensive AI-powered DevSecOps platform.", ["Developer Tools"], 3000],
  ["jira", "Jira", "The #1 software development tool used by agile teams.", ["Developer Tools", "Project Management"], 4100],
  ["linear_app", "Linear", "Linear helps streamline software projects, sprints, tasks, and bug tracking.", ["Project Management"], 3300],
  ["notion", "Notion", "Notion is a new tool that blends your everyday work apps into one.", ["Productivity"], 4700],
  ["google_docs", "Google Docs", "Create and edit documents online.", ["Productivity"], 4300],
  ["confluence", "Confluence", "Confluence is your remote-friendly team workspace where knowledge and collaboration meet.", ["Productivity"], 2800],
  ["trello", "Trello", "Trello keeps track of everything, from the big picture to the minute details.", ["Project Management"], 3900],
  ["asana", "Asana", "Work management platform for teams.", ["Project Management"], 3700],
  ["todoist", "Todoist", "Todoist is a to-do list and task manager.", ["Productivity"], 2900],
  ["clickup", "ClickUp", "One app to replace them all: tasks, docs, goals and chat.", ["Project Management"], 2700],
  ["hubspot", "HubSpot", "HubSpot's CRM platform contains the marketing, sales, service, operations, and website-building software you need.", ["CRM"], 4600],
  ["salesforce_rest_api", "Salesforce", "Cloud-based customer relationship management (CRM) platform.", ["CRM"], 4400],
  ["pipedrive", "Pipedrive", "Pipedrive is the easy-to-use, #1 user-rated CRM tool.", ["CRM"], 2400],
  ["stripe", "Stripe", "Stripe powers online and in-person payment processing and financial solutions.", ["Payments"], 4500],
  ["shopify", "Shopify", "Shopify is a complete commerce platform that lets you start, grow, and manage a business.", ["E-commerce"], 4000],
  ["google_calendar", "Google Calendar", "With Google Calendar, you can quickly schedule meetings and events and get reminders.", ["Productivity"], 4850],
  ["zoom", "Zoom", "Zoom is used for video conferencing, online meetings and webinars.", ["Communication"], 3600],
  ["calendly_v2", "Calendly", "Calendly helps you schedule meetings without the back-and-forth emails.", ["Productivity"], 2300],
  ["dropbox", "Dropbox", "Dropbox gives you secure access to all your files.", ["Storage"], 3400],
  ["google_drive", "Google Drive", "Google Drive is a file storage and synchronization service.", ["Storage"], 4750],
  ["openai", "OpenAI (ChatGPT)", "OpenAI is an AI research and deployment company; use its models for chat, images, audio and embeddings.", ["Artificial Intelligence"], 4650],
  ["mailchimp", "Mailchimp", "Send marketing emails, automated messages, and targeted campaigns.", ["Marketing"], 3100],
  ["zendesk", "Zendesk", "Zendesk is award-winning customer service software.", ["Customer Support"], 3500],
  ["intercom", "Intercom", "The Business Messenger you and your customers will love.", ["Customer Support"], 2700],
  ["twitter", "X (Twitter)", "From breaking news and entertainment to sports and politics, get the full story with all the live commentary.", ["Social Media"], 3000],
  ["youtube_data_api", "YouTube Data API", "YouTube (Data API) lets you incorporate functions normally executed on the YouTube website into your own website or application.", ["Social Media"], 2900],
];

const doc = (url) => ` [See the documentation](${url})`;
/** [name, label, type?, description?] → a configurable prop; `"@"` marks remote options. */
function prop([name, label, type = "string", description]) {
  const remote = label.startsWith("@");
  return {
    name,
    type,
    label: remote ? label.slice(1) : label,
    ...(description ? { description } : {}),
    ...(remote ? { remoteOptions: true } : {}),
    // Airtable's special prop types point at their app and base props, as in the registry.
    ...(type === "$.airtable.baseId" ? { appProp: "airtable_oauth" } : {}),
    ...(type === "$.airtable.tableId" ? { baseIdProp: "baseId" } : {}),
  };
}

/** [key, name, description, props, "r" read-only | "d" destructive | "" ] */
const ACTION_ROWS = [
  // Slack
  ["slack-send-message", "Send Message to Channel", "Send a message to a public or private channel." + doc("https://api.slack.com/methods/chat.postMessage"), [["conversation", "@Channel"], ["text", "Text"], ["mrkdwn", "Send text as Slack mrkdwn", "boolean"]], ""],
  ["slack-send-direct-message", "Send Direct Message", "Send a direct message to a single user." + doc("https://api.slack.com/methods/chat.postMessage"), [["user", "@User"], ["text", "Text"]], ""],
  ["slack-reply-to-a-message", "Reply to a Message Thread", "Send a message as a threaded reply." + doc("https://api.slack.com/methods/chat.postMessage"), [["conversation", "@Channel"], ["thread_ts", "Message Timestamp"], ["text", "Text"]], ""],
  ["slack-create-channel", "Create a Channel", "Create a new channel." + doc("https://api.slack.com/methods/conversations.create"), [["channelName", "Name"], ["isPrivate", "Is Private?", "boolean"]], ""],
  ["slack-invite-user-to-channel", "Invite User to Channel", "Invite a user to an existing channel." + doc("https://api.slack.com/methods/conversations.invite"), [["conversation", "@Channel"], ["user", "@User"]], ""],
  ["slack-find-user-by-email", "Find User by Email", "Find a user by matching against their email address." + doc("https://api.slack.com/methods/users.lookupByEmail"), [["email", "Email"]], "r"],
  ["slack-list-channels", "List Channels", "Return a list of all channels in a workspace." + doc("https://api.slack.com/methods/conversations.list"), [["pageSize", "Page Size", "integer"]], "r"],
  ["slack-find-message", "Find Message", "Find a message matching a search query." + doc("https://api.slack.com/methods/search.messages"), [["query", "Query"], ["sort", "Sort"]], "r"],
  ["slack-add-emoji-reaction", "Add Emoji Reaction", "Add an emoji reaction to a message." + doc("https://api.slack.com/methods/reactions.add"), [["conversation", "@Channel"], ["timestamp", "Message Timestamp"], ["icon_emoji", "Icon (emoji)"]], ""],
  ["slack-upload-file", "Upload File", "Upload a file to a channel." + doc("https://api.slack.com/methods/files.upload"), [["conversation", "@Channel"], ["content", "File Path or URL"], ["initialComment", "Initial Comment"]], ""],
  ["slack-set-channel-topic", "Set Channel Topic", "Set the topic on a selected channel." + doc("https://api.slack.com/methods/conversations.setTopic"), [["conversation", "@Channel"], ["topic", "Topic"]], ""],
  ["slack-delete-message", "Delete Message", "Delete a message." + doc("https://api.slack.com/methods/chat.delete"), [["conversation", "@Channel"], ["timestamp", "Timestamp"]], "d"],
  ["slack-update-profile", "Update Profile", "Update basic profile field such as name or title." + doc("https://api.slack.com/methods/users.profile.set"), [["displayName", "Display Name"], ["title", "Title"]], ""],
  // Discord
  ["discord-send-message", "Send Message", "Send a simple message to a Discord channel." + doc("https://discord.com/developers/docs/resources/channel#create-message"), [["channel", "@Channel"], ["message", "Message"]], ""],
  ["discord-send-message-with-file", "Send Message With File", "Post a message with an attached file." + doc("https://discord.com/developers/docs/reference#uploading-files"), [["channel", "@Channel"], ["message", "Message"], ["fileUrl", "File URL"]], ""],
  ["discord-create-channel", "Create Channel", "Create a new channel for the guild." + doc("https://discord.com/developers/docs/resources/guild#create-guild-channel"), [["guildId", "@Guild"], ["name", "Name"]], ""],
  ["discord-add-role", "Add Role", "Assign a role to a user." + doc("https://discord.com/developers/docs/resources/guild#add-guild-member-role"), [["userId", "@User"], ["roleId", "@Role"]], ""],
  ["discord-list-users-with-emoji-reactions", "List Users With Emoji Reactions", "Return a list of users that reacted with a given emoji." + doc("https://discord.com/developers/docs/resources/channel#get-reactions"), [["channel", "@Channel"], ["messageId", "Message ID"], ["emoji", "Emoji"]], "r"],
  // Microsoft Teams
  ["microsoft_teams-send-channel-message", "Send Channel Message", "Send a message to a team's channel." + doc("https://docs.microsoft.com/en-us/graph/api/channel-post-messages"), [["teamId", "@Team"], ["channelId", "@Channel"], ["message", "Message"]], ""],
  ["microsoft_teams-send-chat-message", "Send Chat Message", "Send a message to a chat." + doc("https://docs.microsoft.com/en-us/graph/api/chat-post-messages"), [["chatId", "@Chat"], ["message", "Message"]], ""],
  ["microsoft_teams-create-channel", "Create Channel", "Create a new channel in Microsoft Teams." + doc("https://docs.microsoft.com/en-us/graph/api/channel-post"), [["teamId", "@Team"], ["channelName", "Channel Name"]], ""],
  ["microsoft_teams-list-channels", "List Channels", "Lists all channels in a Microsoft Team." + doc("https://learn.microsoft.com/en-us/graph/api/channel-list"), [["teamId", "@Team"]], "r"],
  // Telegram
  ["telegram_bot_api-send-text-message-or-reply", "Send a Text Message or Reply", "Sends a text message or a reply to your Telegram Desktop application." + doc("https://core.telegram.org/bots/api#sendmessage"), [["chatId", "Chat ID"], ["text", "Text"], ["reply_to_message_id", "Reply To Message ID"]], ""],
  ["telegram_bot_api-send-photo", "Send a Photo", "Sends a photo to your Telegram Desktop application." + doc("https://core.telegram.org/bots/api#sendphoto"), [["chatId", "Chat ID"], ["photo", "Photo"], ["caption", "Caption"]], ""],
  ["telegram_bot_api-pin-message", "Pin a Message", "Pins a message in a chat." + doc("https://core.telegram.org/bots/api#pinchatmessage"), [["chatId", "Chat ID"], ["messageId", "Message ID"]], ""],
  // Gmail
  ["gmail-send-email", "Send Email", "Send an email from your Google Workspace email account." + doc("https://developers.google.com/gmail/api/reference/rest/v1/users.messages/send"), [["to", "To"], ["cc", "Cc", "string[]"], ["subject", "Subject"], ["body", "Email Body"], ["attachments", "Attachments", "object"]], ""],
  ["gmail-create-draft", "Create Draft", "Create a draft from your Google Workspace email account." + doc("https://developers.google.com/gmail/api/reference/rest/v1/users.drafts/create"), [["to", "To"], ["subject", "Subject"], ["body", "Email Body"]], ""],
  ["gmail-find-email", "Find Email", "Find an email using Google's Search Engine." + doc("https://developers.google.com/gmail/api/reference/rest/v1/users.messages/list"), [["q", "Search Query"], ["maxResults", "Max Results", "integer"]], "r"],
  ["gmail-add-label-to-email", "Add Label to Email", "Add label(s) to an email message." + doc("https://developers.google.com/gmail/api/reference/rest/v1/users.messages/modify"), [["message", "@Message"], ["addLabelIds", "@Labels", "string[]"]], ""],
  ["gmail-reply-to-email", "Reply to Email", "Send a reply to an email message." + doc("https://developers.google.com/gmail/api/reference/rest/v1/users.messages/send"), [["threadId", "@Thread"], ["body", "Email Body"]], ""],
  ["gmail-download-attachment", "Download Attachment", "Download an attachment by attachmentId to the /tmp directory." + doc("https://developers.google.com/gmail/api/reference/rest/v1/users.messages.attachments/get"), [["messageId", "@Message"], ["attachmentId", "@Attachment"]], "r"],
  ["gmail-archive-email", "Archive Email", "Archive an email message." + doc("https://developers.google.com/gmail/api/reference/rest/v1/users.messages/modify"), [["message", "@Message"]], ""],
  // Outlook
  ["microsoft_outlook-send-email", "Send Email", "Send an email to one or multiple recipients." + doc("https://docs.microsoft.com/en-us/graph/api/user-sendmail"), [["recipients", "Recipients", "string[]"], ["subject", "Subject"], ["content", "Content"]], ""],
  ["microsoft_outlook-create-contact", "Create Contact", "Add a contact to the root Contacts folder." + doc("https://docs.microsoft.com/en-us/graph/api/user-post-contacts"), [["givenName", "Given name"], ["surname", "Surname"], ["emailAddresses", "Email addresses", "string[]"]], ""],
  ["microsoft_outlook-find-email", "Find Email", "Search for an email in Microsoft Outlook." + doc("https://learn.microsoft.com/en-us/graph/api/user-list-messages"), [["search", "Search"]], "r"],
  ["microsoft_outlook-create-calendar-event", "Create Calendar Event", "Create an event in the user's default calendar." + doc("https://docs.microsoft.com/en-us/graph/api/user-post-events"), [["subject", "Subject"], ["start", "Start"], ["end", "End"], ["attendees", "Attendees", "string[]"]], ""],
  // SendGrid
  ["sendgrid-send-email-single-recipient", "Send Email Single Recipient", "This action sends a personalized e-mail to the specified recipient." + doc("https://docs.sendgrid.com/api-reference/mail-send/mail-send"), [["fromEmail", "From Email"], ["toEmail", "To Email"], ["subject", "Subject"], ["content", "Content"]], ""],
  ["sendgrid-add-or-update-contact", "Add or Update Contact", "Adds or updates a contact." + doc("https://docs.sendgrid.com/api-reference/contacts/add-or-update-a-contact"), [["listIds", "@List Ids", "string[]"], ["email", "Email"]], ""],
  ["sendgrid-delete-contacts", "Delete Contacts", "Allows you to delete one or more contacts." + doc("https://docs.sendgrid.com/api-reference/contacts/delete-contacts"), [["ids", "Contact IDs", "string[]"]], "d"],
  // Twilio
  ["twilio-send-sms", "Send SMS", "Send a simple text-only SMS." + doc("https://www.twilio.com/docs/sms/api/message-resource#create-a-message-resource"), [["from", "@From"], ["to", "To"], ["body", "Message Body"]], ""],
  ["twilio-make-phone-call", "Make a Phone Call", "Make a phone call passing text, a URL, or an application that Twilio will use to handle the call." + doc("https://www.twilio.com/docs/voice/api/call-resource#create-a-call-resource"), [["from", "@From"], ["to", "To"], ["text", "Text"]], ""],
  ["twilio-list-messages", "List Messages", "Return a list of messages associated with your account." + doc("https://www.twilio.com/docs/sms/api/message-resource#read-multiple-message-resources"), [["to", "To"], ["from", "From"]], "r"],
  // Google Sheets
  ["google_sheets-add-single-row", "Add Single Row", "Add a single row of data to Google Sheets." + doc("https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets.values/append"), [["sheetId", "@Spreadsheet"], ["worksheetId", "@Worksheet"], ["myColumnData", "Values", "string[]"]], ""],
  ["google_sheets-add-multiple-rows", "Add Multiple Rows", "Add multiple rows of data to a Google Sheet." + doc("https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets.values/append"), [["sheetId", "@Spreadsheet"], ["worksheetId", "@Worksheet"], ["rows", "Rows", "string"]], ""],
  ["google_sheets-update-row", "Update Row", "Update a row in a spreadsheet." + doc("https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets.values/update"), [["sheetId", "@Spreadsheet"], ["worksheetId", "@Worksheet"], ["row", "Row Number", "integer"], ["myColumnData", "Values", "string[]"]], ""],
  ["google_sheets-find-row", "Find Row", "Find one or more rows by a column and value." + doc("https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets.values/get"), [["sheetId", "@Spreadsheet"], ["worksheetId", "@Worksheet"], ["column", "Column"], ["value", "Value"]], "r"],
  ["google_sheets-create-spreadsheet", "Create Spreadsheet", "Create a blank spreadsheet or duplicate an existing spreadsheet." + doc("https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/create"), [["title", "Title"]], ""],
  ["google_sheets-create-worksheet", "Create Worksheet", "Create a blank worksheet with a title." + doc("https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/batchUpdate"), [["sheetId", "@Spreadsheet"], ["title", "Title"]], ""],
  ["google_sheets-get-values-in-range", "Get Values in Range", "Get all values or values from a range of cells using A1 notation." + doc("https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets.values/get"), [["sheetId", "@Spreadsheet"], ["range", "Range"]], "r"],
  ["google_sheets-clear-rows", "Clear Rows", "Delete the content of a row or rows in a spreadsheet. Deleted rows will appear as blank rows." + doc("https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets.values/clear"), [["sheetId", "@Spreadsheet"], ["startIndex", "Start Row", "integer"], ["endIndex", "End Row", "integer"]], "d"],
  ["google_sheets-delete-rows", "Delete Rows", "Deletes the specified rows from a spreadsheet." + doc("https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/request#deletedimensionrequest"), [["sheetId", "@Spreadsheet"], ["startIndex", "Start Index", "integer"], ["endIndex", "End Index", "integer"]], "d"],
  ["google_sheets-update-cell", "Update Cell", "Update a cell in a spreadsheet." + doc("https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets.values/update"), [["sheetId", "@Spreadsheet"], ["cell", "Cell"], ["value", "Value"]], ""],
  // Airtable
  ["airtable_oauth-create-single-record", "Create Single Record", "Adds a record to a table." + doc("https://airtable.com/developers/web/api/create-records"), [["baseId", "@Base", "$.airtable.baseId"], ["tableId", "@Table", "$.airtable.tableId"], ["record", "Record", "object"]], ""],
  ["airtable_oauth-list-records", "List Records", "Retrieve records from a table with automatic pagination." + doc("https://airtable.com/developers/web/api/list-records"), [["baseId", "@Base", "$.airtable.baseId"], ["tableId", "@Table", "$.airtable.tableId"], ["filterByFormula", "Filter by Formula"]], "r"],
  ["airtable_oauth-update-record", "Update Record", "Update a single record in a table by Record ID." + doc("https://airtable.com/developers/web/api/update-record"), [["baseId", "@Base", "$.airtable.baseId"], ["tableId", "@Table", "$.airtable.tableId"], ["recordId", "Record ID"], ["record", "Record", "object"]], ""],
  ["airtable_oauth-delete-record", "Delete Record", "Delete a selected record from a table." + doc("https://airtable.com/developers/web/api/delete-record"), [["baseId", "@Base", "$.airtable.baseId"], ["tableId", "@Table", "$.airtable.tableId"], ["recordId", "Record ID"]], "d"],
  ["airtable_oauth-search-records", "Search Records", "Search for a record by formula or by field value." + doc("https://airtable.com/developers/web/api/list-records"), [["baseId", "@Base", "$.airtable.baseId"], ["tableId", "@Table", "$.airtable.tableId"], ["searchValue", "Search Value"]], "r"],
  // Excel
  ["microsoft_excel-add-row", "Add Row", "Insert a new row into a specified Excel worksheet." + doc("https://learn.microsoft.com/en-us/graph/api/table-post-rows"), [["itemId", "@Spreadsheet"], ["worksheet", "@Worksheet"], ["values", "Values", "string[]"]], ""],
  ["microsoft_excel-find-row", "Find Row", "Finds a row by column and value in an Excel worksheet." + doc("https://learn.microsoft.com/en-us/graph/api/worksheet-range"), [["itemId", "@Spreadsheet"], ["column", "Column"], ["value", "Value"]], "r"],
  ["microsoft_excel-update-cell", "Update Cell", "Update the value of a specific cell in an Excel worksheet." + doc("https://learn.microsoft.com/en-us/graph/api/range-update"), [["itemId", "@Spreadsheet"], ["cell", "Cell"], ["value", "Value"]], ""],
  // GitHub
  ["github-create-issue", "Create Issue", "Create a new issue in a GitHub repository." + doc("https://docs.github.com/en/rest/issues/issues#create-an-issue"), [["repoFullname", "@Repository"], ["title", "Title"], ["body", "Body"], ["labels", "@Labels", "string[]"], ["assignees", "@Assignees", "string[]"]], ""],
  ["github-update-issue", "Update Issue", "Update a new issue in a GitHub repository." + doc("https://docs.github.com/en/rest/issues/issues#update-an-issue"), [["repoFullname", "@Repository"], ["issueNumber", "@Issue Number", "integer"], ["title", "Title"], ["state", "State"]], ""],
  ["github-create-issue-comment", "Create Issue Comment", "Create a new comment in a issue." + doc("https://docs.github.com/en/rest/issues/comments#create-an-issue-comment"), [["repoFullname", "@Repository"], ["issueNumber", "@Issue Number", "integer"], ["body", "Body"]], ""],
  ["github-search-issues-and-pull-requests", "Search Issues and Pull Requests", "Find issues by state and keyword." + doc("https://docs.github.com/en/search-github/searching-on-github/searching-issues-and-pull-requests"), [["query", "Query"], ["maxResults", "Max Results", "integer"]], "r"],
  ["github-create-pull-request", "Create Pull Request", "Creates a new pull request for a specified repository." + doc("https://docs.github.com/en/rest/pulls/pulls#create-a-pull-request"), [["repoFullname", "@Repository"], ["head", "Head Branch"], ["base", "Base Branch"], ["title", "Title"]], ""],
  ["github-create-branch", "Create Branch", "Create a new branch in a Github repo." + doc("https://docs.github.com/en/rest/git/refs#create-a-reference"), [["repoFullname", "@Repository"], ["branchName", "Branch Name"], ["branchSha", "@Source Branch"]], ""],
  ["github-get-repository", "Get Repository", "Get specific repository." + doc("https://docs.github.com/en/rest/repos/repos#get-a-repository"), [["repoFullname", "@Repository"]], "r"],
  ["github-create-or-update-file-contents", "Create or Update File Contents", "Create or update a file in a repository. This will replace an existing file." + doc("https://docs.github.com/en/rest/repos/contents#create-or-update-file-contents"), [["repoFullname", "@Repository"], ["path", "File Path"], ["fileContent", "File content"], ["commitMessage", "Commit Message"]], ""],
  ["github-get-reviewers", "Get Reviewers", "Get reviewers for a PR." + doc("https://docs.github.com/en/rest/pulls/review-requests"), [["repoFullname", "@Repository"], ["pullNumber", "@PR Number", "integer"]], "r"],
  ["github-list-releases", "List Releases", "List releases for a repository." + doc("https://docs.github.com/en/rest/releases/releases#list-releases"), [["repoFullname", "@Repository"]], "r"],
  // GitLab
  ["gitlab-create-issue", "Create Issue", "Creates a new issue." + doc("https://docs.gitlab.com/ee/api/issues.html#new-issue"), [["projectId", "@Project ID", "integer"], ["title", "Title"], ["description", "Description"], ["labels", "@Labels", "string[]"]], ""],
  ["gitlab-list-commits", "List Commits", "List commits in a project." + doc("https://docs.gitlab.com/ee/api/commits.html#list-repository-commits"), [["projectId", "@Project ID", "integer"], ["refName", "@Branch Name"]], "r"],
  ["gitlab-create-branch", "Create Branch", "Create a new branch in the repository." + doc("https://docs.gitlab.com/ee/api/branches.html#create-repository-branch"), [["projectId", "@Project ID", "integer"], ["branch", "Branch Name"], ["ref", "Ref"]], ""],
  ["gitlab-create-merge-request", "Create Merge Request", "Create a new merge request." + doc("https://docs.gitlab.com/ee/api/merge_requests.html#create-mr"), [["projectId", "@Project ID", "integer"], ["sourceBranch", "@Source Branch"], ["targetBranch", "@Target Branch"], ["title", "Title"]], ""],
  // Jira
  ["jira-create-issue", "Create Issue", "Creates an issue or, where the option to create subtasks is enabled in Jira, a subtask." + doc("https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-post"), [["projectId", "@Project"], ["issueTypeId", "@Issue Type"], ["summary", "Summary"], ["description", "Description"]], ""],
  ["jira-add-comment-to-issue", "Add Comment To Issue", "Adds a new comment to an issue." + doc("https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-comments/#api-rest-api-3-issue-issueidorkey-comment-post"), [["issueIdOrKey", "@Issue id or key"], ["comment", "Comment"]], ""],
  ["jira-transition-issue", "Transition Issue", "Performs an issue transition and, if the transition has a screen, updates the fields from the transition screen." + doc("https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-issueidorkey-transitions-post"), [["issueIdOrKey", "@Issue id or key"], ["transition", "@Transition"]], ""],
  ["jira-assign-issue", "Assign Issue", "Assigns an issue to a user." + doc("https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-issueidorkey-assignee-put"), [["issueIdOrKey", "@Issue id or key"], ["accountId", "@Assignee"]], ""],
  ["jira-search-issues-with-jql", "Search Issues with JQL", "Search for issues using JQL (Jira Query Language)." + doc("https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/#api-rest-api-3-search-get"), [["jql", "JQL Query"], ["maxResults", "Max Results", "integer"]], "r"],
  // Linear
  ["linear_app-create-issue", "Create Issue", "Create an issue (API Key)." + doc("https://developers.linear.app/docs/graphql/working-with-the-graphql-api#creating-and-editing-issues"), [["teamId", "@Team"], ["title", "Title"], ["description", "Description"], ["assigneeId", "@Assignee"]], ""],
  ["linear_app-update-issue", "Update Issue", "Update an issue (API Key)." + doc("https://developers.linear.app/docs/graphql/working-with-the-graphql-api#creating-and-editing-issues"), [["issueId", "@Issue"], ["title", "Title"], ["stateId", "@State"]], ""],
  ["linear_app-search-issues", "Search Issues", "Search issues (API Key)." + doc("https://developers.linear.app/docs/graphql/working-with-the-graphql-api"), [["query", "Query"], ["teamId", "@Team"]], "r"],
  // Notion
  ["notion-create-page", "Create Page", "Create a page from a parent page." + doc("https://developers.notion.com/reference/post-page"), [["parent", "@Parent Page ID"], ["title", "Page Title"], ["pageContent", "Page Content"]], ""],
  ["notion-create-page-from-database", "Create Page from Database", "Create a page from a database." + doc("https://developers.notion.com/reference/post-page"), [["parent", "@Parent Database ID"], ["properties", "Property Values", "object"]], ""],
  ["notion-append-block", "Append Block to Parent", "Append new and/or existing blocks to the specified parent." + doc("https://developers.notion.com/reference/patch-block-children"), [["pageId", "@Parent Block ID"], ["markdownContents", "Markdown Contents", "string[]"]], ""],
  ["notion-query-database", "Query Database", "Query a database with a specified filter." + doc("https://developers.notion.com/reference/post-database-query"), [["databaseId", "@Database ID"], ["filter", "Filter", "object"]], "r"],
  ["notion-search", "Find Pages or Databases", "Searches for a page or database." + doc("https://developers.notion.com/reference/post-search"), [["title", "Title"]], "r"],
  ["notion-update-page", "Update Page", "Updates page property values for the specified page." + doc("https://developers.notion.com/reference/patch-page"), [["pageId", "@Page ID"], ["properties", "Property Values", "object"]], ""],
  ["notion-retrieve-page", "Retrieve Page", "Get details of a page." + doc("https://developers.notion.com/reference/retrieve-a-page"), [["pageId", "@Page ID"]], "r"],
  ["notion-create-comment", "Create Comment", "Creates a comment in a page or existing discussion thread." + doc("https://developers.notion.com/reference/create-a-comment"), [["pageId", "@Page ID"], ["comment", "Comment"]], ""],
  // Google Docs
  ["google_docs-create-document", "Create a New Document", "Create a new document." + doc("https://developers.google.com/docs/api/reference/rest/v1/documents/create"), [["title", "Title"], ["text", "Text"]], ""],
  ["google_docs-append-text", "Append Text", "Append text to an existing document." + doc("https://developers.google.com/docs/api/reference/rest/v1/documents/request#InsertTextRequest"), [["docId", "@Document"], ["text", "Text"]], ""],
  ["google_docs-replace-text", "Replace Text", "Replace all instances of matched text in an existing document." + doc("https://developers.google.com/docs/api/reference/rest/v1/documents/request#ReplaceAllTextRequest"), [["docId", "@Document"], ["replaced", "Text to be replaced"], ["text", "New Text"]], ""],
  ["google_docs-get-document", "Get Document", "Get the contents of the latest version of a document." + doc("https://developers.google.com/docs/api/reference/rest/v1/documents/get"), [["docId", "@Document"]], "r"],
  ["google_docs-create-document-from-template", "Create Document From Template", "Create a new Google Docs file from a template, replacing placeholder {{variables}}." + doc("https://developers.google.com/docs/api/how-tos/merge"), [["templateId", "@Template"], ["replaceValues", "Replace text placeholders", "object"]], ""],
  // Confluence
  ["confluence-create-page", "Create Page", "Creates a new page in the space." + doc("https://developer.atlassian.com/cloud/confluence/rest/v2/api-group-page/#api-pages-post"), [["spaceId", "@Space"], ["title", "Title"], ["body", "Body"]], ""],
  ["confluence-search-content", "Search Content", "Searches for content using the Confluence Query Language (CQL)." + doc("https://developer.atlassian.com/cloud/confluence/rest/v1/api-group-search/"), [["cql", "CQL Query"]], "r"],
  // Trello
  ["trello-create-card", "Create Card", "Creates a new card." + doc("https://developer.atlassian.com/cloud/trello/rest/api-group-cards/#api-cards-post"), [["board", "@Board"], ["idList", "@List"], ["name", "Name"], ["desc", "Description"], ["due", "Due Date"]], ""],
  ["trello-move-card-to-list", "Move Card to List", "Moves a card to the specified board/list pair." + doc("https://developer.atlassian.com/cloud/trello/rest/api-group-cards/#api-cards-id-put"), [["idCard", "@Card"], ["toIdList", "@List"]], ""],
  ["trello-add-comment", "Create a Comment", "Create a new comment on a specific card." + doc("https://developer.atlassian.com/cloud/trello/rest/api-group-cards/#api-cards-id-actions-comments-post"), [["idCard", "@Card"], ["comment", "Comment"]], ""],
  ["trello-archive-card", "Archive Card", "Archives a card." + doc("https://developer.atlassian.com/cloud/trello/rest/api-group-cards/#api-cards-id-put"), [["idCard", "@Card"]], ""],
  ["trello-add-checklist", "Create a Checklist", "Creates a checklist on the specified card." + doc("https://developer.atlassian.com/cloud/trello/rest/api-group-cards/#api-cards-id-checklists-post"), [["idCard", "@Card"], ["name", "Name"]], ""],
  ["trello-search-cards", "Search Cards", "Searches for cards matching the specified query." + doc("https://developer.atlassian.com/cloud/trello/rest/api-group-search/"), [["query", "Query"]], "r"],
  // Asana
  ["asana-create-task", "Create Task", "Creates a new task." + doc("https://developers.asana.com/reference/createtask"), [["workspace", "@Workspace"], ["projects", "@Projects", "string[]"], ["name", "Name"], ["notes", "Notes"], ["due_on", "Due On"]], ""],
  ["asana-update-task", "Update Task", "Updates a specific task." + doc("https://developers.asana.com/reference/updatetask"), [["task_gid", "@Task"], ["name", "Name"], ["completed", "Completed", "boolean"]], ""],
  ["asana-create-project", "Create Project", "Create a new project in a workspace or team." + doc("https://developers.asana.com/reference/createproject"), [["workspace", "@Workspace"], ["name", "Name"]], ""],
  ["asana-search-tasks", "Search Tasks", "Searches for a task by name within a project." + doc("https://developers.asana.com/reference/gettasks"), [["project", "@Project"], ["name", "Name"]], "r"],
  ["asana-create-subtask", "Create Subtask", "Creates a new subtask and adds it to the parent task." + doc("https://developers.asana.com/reference/createsubtaskfortask"), [["taskId", "@Parent Task"], ["name", "Name"]], ""],
  // Todoist
  ["todoist-create-task", "Create Task", "Creates a task." + doc("https://developer.todoist.com/rest/v2/#create-a-new-task"), [["project", "@Project"], ["content", "Content"], ["dueString", "Due String"], ["priority", "Priority", "integer"]], ""],
  ["todoist-mark-task-completed", "Mark Task as Completed", "Marks a task as being completed." + doc("https://developer.todoist.com/rest/v2/#close-a-task"), [["task", "@Task"]], ""],
  ["todoist-list-uncompleted-tasks", "List Uncompleted Tasks", "Returns a list of uncompleted tasks by project, section, and/or label." + doc("https://developer.todoist.com/rest/v2/#get-active-tasks"), [["project", "@Project"]], "r"],
  // ClickUp
  ["clickup-create-task", "Create Task", "Creates a new task." + doc("https://clickup.com/api/clickupreference/operation/CreateTask"), [["listId", "@List"], ["name", "Name"], ["description", "Description"], ["dueDate", "Due Date"]], ""],
  ["clickup-create-list", "Create List", "Creates a new list." + doc("https://clickup.com/api/clickupreference/operation/CreateList"), [["folderId", "@Folder"], ["name", "Name"]], ""],
  ["clickup-update-task", "Update Task", "Update a task." + doc("https://clickup.com/api/clickupreference/operation/UpdateTask"), [["taskId", "@Task"], ["status", "@Status"]], ""],
  // HubSpot
  ["hubspot-create-or-update-contact", "Create or Update Contact", "Create or update a contact in Hubspot." + doc("https://developers.hubspot.com/docs/api/crm/contacts"), [["email", "Email"], ["firstname", "First Name"], ["lastname", "Last Name"], ["company", "Company"]], ""],
  ["hubspot-create-deal", "Create Deal", "Create a deal in Hubspot." + doc("https://developers.hubspot.com/docs/api/crm/deals"), [["dealname", "Deal Name"], ["pipeline", "@Pipeline"], ["dealstage", "@Deal Stage"], ["amount", "Amount"]], ""],
  ["hubspot-search-crm", "Search CRM", "Search companies, contacts, deals, feedback submissions, products, tickets, line-items, quotes, leads, or custom objects." + doc("https://developers.hubspot.com/docs/api/crm/search"), [["objectType", "Object Type"], ["searchProperty", "Search Property"], ["searchValue", "Search Value"]], "r"],
  ["hubspot-create-company", "Create Company", "Create a company in Hubspot." + doc("https://developers.hubspot.com/docs/api/crm/companies"), [["name", "Name"], ["domain", "Company Domain Name"]], ""],
  ["hubspot-add-contact-to-list", "Add Contact to List", "Adds a contact to a specific static list." + doc("https://legacydocs.hubspot.com/docs/methods/lists/add_contact_to_list"), [["list", "@List"], ["contactEmail", "Contact Email"]], ""],
  ["hubspot-create-engagement", "Create Engagement", "Create a new engagement (note, task, meeting, call or email) for a contact." + doc("https://developers.hubspot.com/docs/api/crm/engagements"), [["type", "Engagement Type"], ["toObjectId", "@Associated Object"], ["note", "Note"]], ""],
  ["hubspot-create-ticket", "Create Ticket", "Create a ticket in Hubspot." + doc("https://developers.hubspot.com/docs/api/crm/tickets"), [["subject", "Ticket Name"], ["hs_pipeline_stage", "@Ticket Status"]], ""],
  // Salesforce
  ["salesforce_rest_api-create-lead", "Create Lead", "Creates a lead, which represents a prospect or lead." + doc("https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_lead.htm"), [["LastName", "Last Name"], ["Company", "Company"], ["Email", "Email"]], ""],
  ["salesforce_rest_api-create-opportunity", "Create Opportunity", "Creates an opportunity, which represents an opportunity, which is a sale or pending deal." + doc("https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_opportunity.htm"), [["Name", "Name"], ["StageName", "Stage Name"], ["CloseDate", "Close Date"]], ""],
  ["salesforce_rest_api-create-contact", "Create Contact", "Creates a contact, which is a person associated with an account." + doc("https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_contact.htm"), [["LastName", "Last Name"], ["Email", "Email"]], ""],
  ["salesforce_rest_api-soql-search", "SOQL Query (Object Query)", "Executes a SOQL query." + doc("https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql.htm"), [["query", "SOQL Query"]], "r"],
  ["salesforce_rest_api-update-record", "Update Record", "Update fields of a record." + doc("https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_retrieve_patch.htm"), [["sobjectType", "@Object Type"], ["recordId", "@Record ID"], ["fieldsToUpdate", "Fields to Update", "object"]], ""],
  // Pipedrive
  ["pipedrive-add-deal", "Add Deal", "Adds a new deal." + doc("https://developers.pipedrive.com/docs/api/v1/Deals#addDeal"), [["title", "Title"], ["value", "Value"], ["personId", "@Person ID", "integer"]], ""],
  ["pipedrive-add-person", "Add Person", "Adds a new person." + doc("https://developers.pipedrive.com/docs/api/v1/Persons#addPerson"), [["name", "Name"], ["email", "Email Address", "string[]"], ["phone", "Phone", "string[]"]], ""],
  ["pipedrive-add-note", "Add Note", "Adds a new note." + doc("https://developers.pipedrive.com/docs/api/v1/Notes#addNote"), [["content", "Content"], ["dealId", "@Deal ID", "integer"]], ""],
  ["pipedrive-search-persons", "Search persons", "Searches all Persons by name, email, phone, notes and/or custom fields." + doc("https://developers.pipedrive.com/docs/api/v1/Persons#searchPersons"), [["term", "Search Term"]], "r"],
  // Stripe
  ["stripe-create-customer", "Create a Customer", "Create a customer." + doc("https://stripe.com/docs/api/customers/create"), [["name", "Name"], ["email", "Email"], ["phone", "Phone"]], ""],
  ["stripe-create-invoice", "Create an Invoice", "Create an invoice." + doc("https://stripe.com/docs/api/invoices/create"), [["customer", "@Customer"], ["auto_advance", "Auto Advance", "boolean"]], ""],
  ["stripe-create-payment-intent", "Create a Payment Intent", "Create a payment intent." + doc("https://stripe.com/docs/api/payment_intents/create"), [["amount", "Amount", "integer"], ["currency", "@Currency"], ["customer", "@Customer"]], ""],
  ["stripe-create-refund", "Create a Refund", "Create a full or partial refund." + doc("https://stripe.com/docs/api/refunds/create"), [["payment_intent", "@Payment Intent"], ["amount", "Amount", "integer"]], ""],
  ["stripe-list-customers", "List Customers", "Find or list customers." + doc("https://stripe.com/docs/api/customers/list"), [["email", "Email"]], "r"],
  ["stripe-cancel-subscription", "Cancel Subscription", "Cancel a subscription." + doc("https://stripe.com/docs/api/subscriptions/cancel"), [["id", "@Subscription"]], "d"],
  ["stripe-retrieve-balance", "Retrieve Balance", "Retrieve the current account balance." + doc("https://stripe.com/docs/api/balance/balance_retrieve"), [], "r"],
  ["stripe-create-price", "Create a Price", "Create a price for an existing product." + doc("https://stripe.com/docs/api/prices/create"), [["product", "@Product"], ["unit_amount", "Unit Amount", "integer"], ["currency", "@Currency"]], ""],
  // Shopify
  ["shopify-create-order", "Create Order", "Creates a new order." + doc("https://shopify.dev/docs/api/admin-rest/latest/resources/order#post-orders"), [["lineItems", "Line Items", "string[]"], ["customerId", "@Customer ID"]], ""],
  ["shopify-create-product", "Create Product", "Create a new product." + doc("https://shopify.dev/docs/api/admin-rest/latest/resources/product#post-products"), [["title", "Title"], ["productDescription", "Product Description"], ["vendor", "Vendor"]], ""],
  ["shopify-update-inventory-level", "Update Inventory Level", "Sets the inventory level for an inventory item at a location." + doc("https://shopify.dev/docs/api/admin-rest/latest/resources/inventorylevel#post-inventory-levels-set"), [["inventoryItemId", "@Inventory Item ID"], ["locationId", "@Location ID"], ["available", "Available", "integer"]], ""],
  ["shopify-search-customers", "Search for Customers", "Search for a customer or a list of customers." + doc("https://shopify.dev/docs/api/admin-rest/latest/resources/customer#get-customers-search"), [["query", "Query"]], "r"],
  ["shopify-create-customer", "Create Customer", "Create a new customer." + doc("https://shopify.dev/docs/api/admin-rest/latest/resources/customer#post-customers"), [["first_name", "First Name"], ["last_name", "Last Name"], ["email", "Email"]], ""],
  // Google Calendar
  ["google_calendar-create-event", "Create Event", "Create an event in a Google Calendar." + doc("https://developers.google.com/calendar/api/v3/reference/events/insert"), [["calendarId", "@Calendar ID"], ["summary", "Event Title"], ["eventStartDate", "Event Start Date"], ["eventEndDate", "Event End Date"], ["attendees", "Attendees", "string[]"]], ""],
  ["google_calendar-quick-add-event", "Add Quick Event", "Create a quick event to the Google Calendar." + doc("https://developers.google.com/calendar/api/v3/reference/events/quickAdd"), [["calendarId", "@Calendar ID"], ["text", "Event Title"]], ""],
  ["google_calendar-list-events", "List Events", "Retrieve a list of event from the Google Calendar." + doc("https://developers.google.com/calendar/api/v3/reference/events/list"), [["calendarId", "@Calendar ID"], ["timeMin", "Min Time"], ["timeMax", "Max Time"]], "r"],
  ["google_calendar-update-event", "Update Event", "Update an event from Google Calendar." + doc("https://developers.google.com/calendar/api/v3/reference/events/update"), [["calendarId", "@Calendar ID"], ["eventId", "@Event ID"], ["summary", "Event Title"]], ""],
  ["google_calendar-delete-event", "Delete an Event", "Delete an event from a Google Calendar." + doc("https://developers.google.com/calendar/api/v3/reference/events/delete"), [["calendarId", "@Calendar ID"], ["eventId", "@Event ID"]], "d"],
  ["google_calendar-query-free-busy-calendars", "Retrieve Free/Busy Calendar Details", "Retrieve free/busy calendar details from Google Calendar." + doc("https://developers.google.com/calendar/api/v3/reference/freebusy/query"), [["timeMin", "Min Time"], ["timeMax", "Max Time"], ["calendars", "@Calendars", "string[]"]], "r"],
  // Zoom
  ["zoom-create-meeting", "Create Meeting", "Creates a meeting for a user." + doc("https://developers.zoom.us/docs/api/rest/reference/zoom-api/methods/#operation/meetingCreate"), [["topic", "Topic"], ["start_time", "Start Time"], ["duration", "Duration", "integer"]], ""],
  ["zoom-add-meeting-registrant", "Add Meeting Registrant", "Registers a participant for a meeting." + doc("https://developers.zoom.us/docs/api/rest/reference/zoom-api/methods/#operation/meetingRegistrantCreate"), [["meetingId", "@Meeting"], ["email", "Email"], ["first_name", "First Name"]], ""],
  ["zoom-list-past-meeting-participants", "List Past Meeting Participants", "Retrieve information on participants from a past meeting." + doc("https://developers.zoom.us/docs/api/rest/reference/zoom-api/methods/#operation/pastMeetingParticipants"), [["meetingId", "@Meeting"]], "r"],
  ["zoom-get-meeting-transcript", "Get Meeting Transcript", "Get the transcript of a meeting recording." + doc("https://developers.zoom.us/docs/api/rest/reference/zoom-api/methods/#operation/recordingGet"), [["meetingId", "@Meeting"]], "r"],
  // Calendly
  ["calendly_v2-create-a-scheduling-link", "Create a Scheduling Link", "Creates a single-use scheduling link." + doc("https://developer.calendly.com/api-docs/b3A6MzQyNjQ2MDM-create-single-use-scheduling-link"), [["owner", "@Event Type"], ["maxEventCount", "Max Event Count", "integer"]], ""],
  ["calendly_v2-list-events", "List Events", "List events for a user." + doc("https://developer.calendly.com/api-docs/2d5ed9bbd2952-list-events"), [["user", "@User"], ["status", "Status"]], "r"],
  ["calendly_v2-cancel-event", "Cancel Event", "Cancels specified event." + doc("https://developer.calendly.com/api-docs/afb2e9fe3a0a0-cancel-event"), [["uuid", "@Event"], ["reason", "Reason"]], "d"],
  // Dropbox
  ["dropbox-upload-file", "Upload a File", "Uploads a file to a selected folder." + doc("https://www.dropbox.com/developers/documentation/http/documentation#files-upload"), [["path", "@Path"], ["name", "File Name"], ["fileUrl", "File URL"]], ""],
  ["dropbox-create-folder", "Create folder", "Create a folder." + doc("https://www.dropbox.com/developers/documentation/http/documentation#files-create_folder"), [["path", "@Path"], ["name", "Name"]], ""],
  ["dropbox-create-a-text-file", "Create a Text File", "Creates a brand new text file from plain text content you specify." + doc("https://www.dropbox.com/developers/documentation/http/documentation#files-upload"), [["path", "@Path"], ["name", "File Name"], ["content", "Content"]], ""],
  ["dropbox-search-files-folders", "Search files and folders", "Searches for files and folders by name." + doc("https://www.dropbox.com/developers/documentation/http/documentation#files-search"), [["query", "Query"]], "r"],
  ["dropbox-create-update-share-link", "Create/Update a Share Link", "Creates or updates a public share link to the file or folder." + doc("https://www.dropbox.com/developers/documentation/http/documentation#sharing-create_shared_link_with_settings"), [["path", "@Path"], ["requirePassword", "Require a password", "boolean"]], ""],
  // Google Drive
  ["google_drive-upload-file", "Upload File", "Upload a file to Google Drive." + doc("https://developers.google.com/drive/api/v3/manage-uploads"), [["drive", "@Drive"], ["parentId", "@Folder"], ["fileUrl", "File URL"], ["name", "Name"]], ""],
  ["google_drive-create-folder", "Create Folder", "Create a new empty folder." + doc("https://developers.google.com/drive/api/v3/reference/files/create"), [["drive", "@Drive"], ["name", "Name"]], ""],
  ["google_drive-share-file-or-folder", "Share File or Folder", "Add a sharing permission to the sharing preferences of a file or folder and provide a sharing URL." + doc("https://developers.google.com/drive/api/v3/reference/permissions/create"), [["fileOrFolderId", "@File or Folder"], ["role", "Role"], ["emailAddress", "Email Address"]], ""],
  ["google_drive-find-file", "Find File", "Search for a specific file by name." + doc("https://developers.google.com/drive/api/v3/search-files"), [["nameSearchTerm", "Search Name"]], "r"],
  ["google_drive-copy-file", "Copy File", "Create a copy of the specified file." + doc("https://developers.google.com/drive/api/v3/reference/files/copy"), [["fileId", "@File"]], ""],
  ["google_drive-move-file-to-trash", "Move File to Trash", "Move a file or folder to trash." + doc("https://developers.google.com/drive/api/v3/reference/files/update"), [["fileId", "@File"]], "d"],
  ["google_drive-download-file", "Download File", "Download a file." + doc("https://developers.google.com/drive/api/v3/manage-downloads"), [["fileId", "@File"], ["filePath", "Destination File Path"]], "r"],
  // OpenAI
  ["openai-chat", "Chat", "The Chat API, using the gpt-4o or other models." + doc("https://platform.openai.com/docs/api-reference/chat"), [["modelId", "@Model"], ["userMessage", "User Message"], ["systemInstructions", "System Instructions"]], "r"],
  ["openai-create-image", "Create Image (Dall-E)", "Creates an image given a prompt returning a URL to the image." + doc("https://platform.openai.com/docs/api-reference/images"), [["prompt", "Prompt"], ["size", "Size"]], ""],
  ["openai-create-transcription", "Create Transcription (Whisper)", "Transcribes audio into the input language." + doc("https://platform.openai.com/docs/api-reference/audio/createTranscription"), [["file", "Audio File"], ["language", "Language"]], ""],
  ["openai-summarize", "Summarize Text", "Summarizes text using the Chat API." + doc("https://platform.openai.com/docs/api-reference/chat"), [["text", "Text"], ["length", "Summary Length"]], "r"],
  ["openai-translate-text", "Translate Text (Whisper)", "Translate text from one language to another using the Chat API." + doc("https://platform.openai.com/docs/api-reference/chat"), [["text", "Text"], ["targetLanguage", "Target Language"]], "r"],
  ["openai-create-embeddings", "Create Embeddings", "Compute text embeddings with the OpenAI API." + doc("https://platform.openai.com/docs/api-reference/embeddings"), [["input", "Input"]], "r"],
  ["openai-classify-items-into-categories", "Classify Items into Categories", "Classify items into specific categories using the Chat API." + doc("https://platform.openai.com/docs/api-reference/chat"), [["items", "Items", "string[]"], ["categories", "Categories", "string[]"]], "r"],
  // Mailchimp
  ["mailchimp-add-subscriber-to-list", "Add Subscriber to List", "Adds a new subscriber to an audience list." + doc("https://mailchimp.com/developer/marketing/api/list-members/add-member-to-list/"), [["listId", "@List ID"], ["email_address", "Email Address"], ["status", "Status"]], ""],
  ["mailchimp-create-campaign", "Create Campaign", "Creates a new campaign draft." + doc("https://mailchimp.com/developer/marketing/api/campaigns/add-campaign/"), [["listId", "@List ID"], ["subjectLine", "Subject Line"], ["fromName", "From Name"]], ""],
  ["mailchimp-remove-subscriber-from-list", "Remove Subscriber From List", "Remove a subscriber from an audience list." + doc("https://mailchimp.com/developer/marketing/api/list-members/archive-list-member/"), [["listId", "@List ID"], ["subscriberHash", "Subscriber Email"]], "d"],
  ["mailchimp-send-campaign", "Send Campaign", "Sends a campaign immediately." + doc("https://mailchimp.com/developer/marketing/api/campaigns/send-campaign/"), [["campaignId", "@Campaign ID"]], ""],
  // Zendesk
  ["zendesk-create-ticket", "Create Ticket", "Creates a ticket." + doc("https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#create-ticket"), [["ticketCommentBody", "Comment body"], ["ticketSubject", "Subject"], ["ticketPriority", "Priority"]], ""],
  ["zendesk-update-ticket", "Update Ticket", "Updates a ticket." + doc("https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#update-ticket"), [["ticketId", "@Ticket ID"], ["ticketStatus", "Status"], ["ticketCommentBody", "Comment body"]], ""],
  ["zendesk-search-tickets", "Search Tickets", "Searches for tickets using Zendesk search syntax." + doc("https://developer.zendesk.com/api-reference/ticketing/ticket-management/search/"), [["query", "Query"]], "r"],
  ["zendesk-delete-ticket", "Delete Ticket", "Deletes a ticket." + doc("https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#delete-ticket"), [["ticketId", "@Ticket ID"]], "d"],
  // Intercom
  ["intercom-create-note", "Add Note to Contact", "Add a note to a specific contact." + doc("https://developers.intercom.com/intercom-api-reference/reference/createnote"), [["userId", "@Contact"], ["body", "Body"]], ""],
  ["intercom-send-incoming-message", "Send Incoming Message", "Send a message from a user into your Intercom app." + doc("https://developers.intercom.com/intercom-api-reference/reference/createconversation"), [["userId", "@User ID"], ["body", "Message Body"]], ""],
  ["intercom-reply-to-conversation", "Reply to Conversation", "Reply to a conversation as an admin." + doc("https://developers.intercom.com/intercom-api-reference/reference/replyconversation"), [["conversationId", "@Conversation"], ["body", "Body"]], ""],
  ["intercom-upsert-contact", "Upsert Contact", "Create a new contact. If there is already a contact with the email provided, the existing contact will be updated." + doc("https://developers.intercom.com/docs/references/rest-api/api.intercom.io/contacts/createcontact"), [["email", "Email"], ["name", "Name"]], ""],
  // Twitter
  ["twitter-create-tweet", "Create Tweet", "Create a new tweet." + doc("https://developer.twitter.com/en/docs/twitter-api/tweets/manage-tweets/api-reference/post-tweets"), [["text", "Text"], ["inReplyToTweetId", "In Reply To Tweet ID"]], ""],
  ["twitter-like-tweet", "Like Tweet", "Like a tweet specified by its ID." + doc("https://developer.twitter.com/en/docs/twitter-api/tweets/likes/api-reference/post-users-id-likes"), [["tweetId", "Tweet ID"]], ""],
  ["twitter-send-dm", "Send Direct Message (DM)", "Send a message to a user." + doc("https://developer.twitter.com/en/docs/twitter-api/direct-messages/manage/api-reference/post-dm_conversations-with-participant_id-messages"), [["userNameOrId", "User Name or ID"], ["text", "Text"]], ""],
  ["twitter-simple-search", "Search Tweets", "Retrieve Tweets from the last seven days that match a query." + doc("https://developer.twitter.com/en/docs/twitter-api/tweets/search/api-reference/get-tweets-search-recent"), [["query", "Query"]], "r"],
  // YouTube
  ["youtube_data_api-upload-video", "Upload Video", "Post a video to your channel." + doc("https://developers.google.com/youtube/v3/docs/videos/insert"), [["title", "Title"], ["description", "Description"], ["fileUrl", "File URL"], ["privacyStatus", "Privacy Status"]], ""],
  ["youtube_data_api-list-videos", "List Videos", "Returns a list of videos that match the API request parameters." + doc("https://developers.google.com/youtube/v3/docs/videos/list"), [["id", "Video IDs", "string[]"]], "r"],
  ["youtube_data_api-add-playlist-items", "Add Playlist Items", "Adds resources to a playlist." + doc("https://developers.google.com/youtube/v3/docs/playlistItems/insert"), [["playlistId", "@Playlist"], ["videoIds", "Video IDs", "string[]"]], ""],
  ["youtube_data_api-reply-to-comment", "Reply To Comment", "Creates a reply to an existing comment." + doc("https://developers.google.com/youtube/v3/docs/comments/insert"), [["commentId", "Comment ID"], ["commentText", "Comment Text"]], ""],
];

export const APPS = APP_ROWS.map(([slug, name, description, categories, featuredWeight], i) => ({
  id: `app_fx${String(i).padStart(3, "0")}`,
  name_slug: slug,
  name,
  auth_type: "oauth",
  description,
  img_src: `https://assets.pipedream.net/s.v0/app_fx${i}/logo/orig`,
  custom_fields_json: "[]",
  categories,
  featured_weight: featuredWeight,
  scope_profiles: [],
}));

export const ACTIONS = ACTION_ROWS.map(([key, name, description, props, flags]) => {
  const app = APP_ROWS.map((r) => r[0]).find((slug) => key.startsWith(`${slug}-`));
  if (!app) throw new Error(`fixture action ${key} has no app`);
  return {
    key,
    name,
    version: "0.1.0",
    component_type: "action",
    description,
    annotations: {
      readOnlyHint: flags === "r",
      destructiveHint: flags === "d",
      idempotentHint: flags === "r",
      openWorldHint: true,
      title: name,
    },
    configurable_props: [{ name: app, type: "app", app }, ...props.map(prop)],
  };
});

/** Queries without an app filter, and the apps (any of them) that should lead `apps` (top 3). */
export const APP_QUERIES = [
  { query: "post a message to a slack channel", apps: ["slack"] },
  { query: "gogle sheets", apps: ["google_sheets"] },
  { query: "crm deal", apps: ["hubspot", "pipedrive", "salesforce_rest_api"] },
  { query: "video meeting", apps: ["zoom"] },
];
